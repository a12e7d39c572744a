"""A tip reaches the commune unit responsible for the place it names."""

from __future__ import annotations

from binhyen.cases import services as cases
from binhyen.cases.models import CaseEvent, Status
from binhyen.triage.models import Routing, Suggestion
from binhyen.triage.tests.helpers import commune_unit, receive

OLD_WARD_TIP = (
    "Có nhóm thanh niên cầm dao tụ tập ở khu đất trống gần trường mầm non phường Tân Lợi cũ, "
    "hình như sắp đánh nhau, công an tới ngay giúp em"
)
SPLIT_WARD_TIP = "Có người lạ đột nhập trộm bò ở xã Ea Bhốk cũ tối qua, mong công an xác minh"


def test_province_page_tip_about_old_ward_is_routed_to_its_commune(world, send):
    case = send(OLD_WARD_TIP, page=world.province_page)
    assert case.unit == world.bmt
    assert case.received_by_unit == world.province
    routed = CaseEvent.objects.get(case=case, kind="routed")
    assert "phường Tân Lợi (tên cũ" in routed.text
    assert "→ Phường Buôn Ma Thuột" in routed.text
    assert routed.actor is None and routed.data["automatic"] is True
    assert Suggestion.objects.get(case=case).routing == Routing.ROUTED


def test_commune_page_tip_about_another_commune_is_routed_there(world, send):
    case = send("Tối qua nhà em ở xã Ea Tu cũ bị trộm mất xe máy", page=world.bmt_page)
    assert case.unit == world.tanan
    assert "xã Ea Tu (tên cũ" in CaseEvent.objects.get(case=case, kind="routed").text


def test_tip_naming_a_split_old_commune_stays_with_every_candidate(world, send):
    commune_unit(world, "24544", "Xã Ea Ktur", 12.60, 108.10)
    commune_unit(world, "24561", "Xã Dray Bhăng", 12.55, 108.15)
    case = send(SPLIT_WARD_TIP)
    assert case.unit == world.province
    s = Suggestion.objects.get(case=case)
    assert s.routing == Routing.SEVERAL
    assert s.place_codes == ["24544", "24561"]
    assert not CaseEvent.objects.filter(case=case, kind="routed").exists()


def test_tip_without_a_place_stays_where_it_arrived(world, send):
    case = send("Có trộm vào nhà em lấy mất xe máy tối qua", page=world.province_page)
    assert case.unit == world.province
    assert Suggestion.objects.get(case=case).routing == Routing.NO_PLACE


def test_tip_about_the_receiving_commune_stays(world, send):
    case = send("Cháy lớn ở chợ Tân An, có người mắc kẹt, cứu với", page=world.tanan_page)
    assert case.unit == world.tanan
    assert Suggestion.objects.get(case=case).routing == Routing.HERE


def test_question_naming_a_place_is_triaged_but_never_transferred(world, send):
    case = send("Cho em hỏi làm căn cước ở phường Tân Lợi cũ thì đến đâu ạ?")
    s = Suggestion.objects.get(case=case)
    assert s.intent == "question" and s.place_codes == ["24133"]
    assert s.routing == Routing.NOT_TIP
    case.refresh_from_db()
    assert case.unit == world.province and case.intent == "question"


def test_tip_about_a_place_whose_unit_is_inactive_stays(world, send):
    world.bmt.is_active = False
    world.bmt.save(update_fields=["is_active"])
    case = send(OLD_WARD_TIP)
    assert case.unit == world.province
    assert Suggestion.objects.get(case=case).routing == Routing.NO_UNIT


def test_case_acknowledged_before_triage_is_not_routed(world, drain):
    case = receive(world, OLD_WARD_TIP)
    cases.case_claim(case=case, actor=world.province_officer)
    drain()
    case.refresh_from_db()
    assert case.unit == world.province
    assert Suggestion.objects.get(case=case).routing == Routing.HANDLED


def test_shared_location_suggests_nearest_units_without_transferring(world, send_location):
    case = send_location(12.7105, 108.0605)
    case.refresh_from_db()
    assert case.unit == world.province
    s = Suggestion.objects.get(case=case)
    assert [n["code"] for n in s.nearest][:2] == ["24163", "24133"]
    assert s.nearest[0]["km"] < 1
    assert not CaseEvent.objects.filter(case=case, kind="routed").exists()


def test_a_case_is_routed_automatically_only_once(world, send):
    case = send(OLD_WARD_TIP)
    again = send("à nhầm, ở chợ Tân An, bọn nó vẫn đang cầm dao")
    assert again.pk == case.pk
    again.refresh_from_db()
    assert again.unit == world.bmt
    latest = Suggestion.objects.filter(case=case).order_by("-id").first()
    assert latest is not None and latest.routing == Routing.ONCE
    assert latest.place_codes == ["24163"]
    assert again.status == Status.RECEIVED


def test_a_name_shared_by_the_old_city_and_the_receiving_ward_stays_with_the_ward(world, send):
    # "Buôn Ma Thuột" alone is the former city (six wards) and also the current ward's name:
    # sent to the ward's own page, the page's unit wins the tie (issue 11).
    case = send("Chợ trung tâm Buôn Ma Thuột có nhóm móc túi đang hoạt động", page=world.bmt_page)
    s = Suggestion.objects.get(case=case)
    assert s.place_codes == ["24133"]
    assert s.routing == "here"
    assert any("lấy đơn vị này" in r for r in s.place_reasons)


def test_the_same_name_sent_to_the_province_page_keeps_every_candidate(world, send):
    case = send("Chợ trung tâm Buôn Ma Thuột có nhóm móc túi đang hoạt động")
    assert len(Suggestion.objects.get(case=case).place_codes) == 6


def _reads(fn):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, len(ctx.captured_queries)


def test_places_in_a_worker_batch_are_read_once_each_and_answer_as_alone(world):
    """In a worker's batch (`memo`) units, points and centroids are remembered place by
    place: the answers are those read alone, and only places not met yet are read."""
    from binhyen.lib import memo
    from binhyen.triage import routing

    extra = commune_unit(world, "24544", "Xã Ea Ktur", 12.60, 108.10)
    codes = ["24133", "24163", "99999"]  # two served wards and a code nobody serves
    units = [world.bmt, world.tanan, world.province, extra]
    alone = (
        routing.units_for_codes(codes),
        routing.area_points(codes),
        routing.unit_centroids(units),
    )
    assert set(alone[0]) == {"24133", "24163"} and len(alone[1]) == 2
    with memo.batch():
        found, reads = _reads(lambda: routing.units_for_codes(codes))
        assert found == alone[0] and reads == 2  # the links, then the unlinked code
        # Points of the same places came with their units; centroids with the unit points.
        points, reads = _reads(lambda: routing.area_points(codes))
        assert sorted(points) == sorted(alone[1]) and reads == 1  # the unknown code only
        centroids, reads = _reads(lambda: routing.unit_centroids(units))
        assert centroids == alone[2] and reads <= 2
        # Again, with one new place among them: only it is read.
        again, reads = _reads(lambda: routing.units_for_codes(["24163", "24544"]))
        assert again == {"24163": world.tanan, "24544": extra} and reads == 1
        for fn in (
            lambda: routing.units_for_codes(codes),
            lambda: routing.area_points(codes),
            lambda: routing.unit_centroids(units),
        ):
            _result, reads = _reads(fn)
            assert reads == 0
