"""Every triage action is reached through the officer's cases: other communes get a 404."""

from __future__ import annotations

import pytest

from binhyen.cases import services as cases
from binhyen.cases.models import Status
from binhyen.testing import PASSWORD
from binhyen.triage.models import Correction, DuplicateCandidate, Suggestion
from binhyen.triage.tests.helpers import commune_unit

FIGHT = "Có 2 nhóm thanh niên cầm dao đánh nhau ở chợ Tân An, công an tới ngay"
AGAIN = "cs oi dang co danh nhau o cho tan an, nhieu thanh nien cam dao lam"


@pytest.fixture
def tanan_pair(world, send):
    first = send(FIGHT, page=world.tanan_page, user_id="111")
    second = send(AGAIN, page=world.tanan_page, user_id="222")
    return first, second, DuplicateCandidate.objects.get()


def _posts(s, row) -> list[tuple[str, dict]]:
    return [
        ("xac-nhan", {"suggestion": s.pk}),
        ("sua", {"suggestion": s.pk, "field": "urgency", "value": "normal"}),
        ("chuyen", {"suggestion": s.pk, "unit": "24133"}),
        ("gop", {"candidate": row.pk}),
        ("khong-trung", {"candidate": row.pk}),
        ("tach", {"reason": "thử"}),
    ]


@pytest.mark.parametrize("action", ["xac-nhan", "sua", "chuyen", "gop", "khong-trung", "tach"])
def test_officer_of_another_commune_cannot_act_on_the_case(world, tanan_pair, client, action):
    _first, second, row = tanan_pair
    s = Suggestion.objects.get(case=second)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    data = dict(_posts(s, row))[action]
    resp = client.post(f"/tin-bao/{second.pk}/phan-loai/{action}/", data)
    assert resp.status_code == 404
    second.refresh_from_db()
    row.refresh_from_db()
    assert second.status == Status.RECEIVED and second.unit == world.tanan
    assert second.merged_into is None and row.dismissed_at is None
    assert not Correction.objects.exists()


@pytest.mark.parametrize("action", ["xac-nhan", "sua", "chuyen", "gop", "khong-trung", "tach"])
def test_anonymous_visitor_is_sent_to_the_login_page(tanan_pair, client, action):
    _first, second, _row = tanan_pair
    resp = client.post(f"/tin-bao/{second.pk}/phan-loai/{action}/", {})
    assert resp.status_code == 302 and "/dang-nhap/" in resp["Location"]


def test_triage_actions_refuse_get(world, tanan_pair, client):
    _first, second, _row = tanan_pair
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    assert client.get(f"/tin-bao/{second.pk}/phan-loai/xac-nhan/").status_code == 405


def test_suggestion_of_another_case_cannot_be_confirmed(world, tanan_pair, client):
    first, second, _row = tanan_pair
    other = Suggestion.objects.get(case=first)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    resp = client.post(f"/tin-bao/{second.pk}/phan-loai/xac-nhan/", {"suggestion": other.pk})
    assert resp.status_code == 404


def test_commune_officer_cannot_transfer_to_a_candidate_outside_their_reach(world, send, client):
    commune_unit(world, "24544", "Xã Ea Ktur", 12.60, 108.10)
    commune_unit(world, "24561", "Xã Dray Bhăng", 12.55, 108.15)
    case = send("Có người lạ đột nhập trộm bò ở xã Ea Bhốk cũ tối qua", page=world.bmt_page)
    s = Suggestion.objects.get(case=case)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    body = client.get(f"/tin-bao/{case.pk}/").content.decode()
    assert "Xã Ea Ktur" in body and "chuyển lên đơn vị cấp trên" in body
    client.post(f"/tin-bao/{case.pk}/phan-loai/chuyen/", {"suggestion": s.pk, "unit": "24544"})
    case.refresh_from_db()
    assert case.unit == world.bmt


def test_province_officer_transfers_to_a_candidate_in_one_click(world, send, client):
    ktur = commune_unit(world, "24544", "Xã Ea Ktur", 12.60, 108.10)
    commune_unit(world, "24561", "Xã Dray Bhăng", 12.55, 108.15)
    case = send("Có người lạ đột nhập trộm bò ở xã Ea Bhốk cũ tối qua")
    s = Suggestion.objects.get(case=case)
    client.login(username=world.province_officer.username, password=PASSWORD)
    client.post(f"/tin-bao/{case.pk}/phan-loai/chuyen/", {"suggestion": s.pk, "unit": "24544"})
    case.refresh_from_db()
    assert case.unit == ktur
    assert case.events.filter(kind="transferred", text__contains="Ea BHốk").exists()


def test_merge_needs_both_cases_within_the_officers_reach(world, send, client):
    first = send(FIGHT, page=world.tanan_page, user_id="111")
    second = send(AGAIN, page=world.province_page, user_id="222")  # routed to Tân An too
    second.refresh_from_db()
    assert second.unit == world.tanan
    row = DuplicateCandidate.objects.get()
    # The earlier report was moved to another commune meanwhile.
    cases.case_transfer(case=first, to_unit=world.bmt, actor=None, reason="nhầm địa bàn")
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    resp = client.post(f"/tin-bao/{second.pk}/phan-loai/gop/", {"candidate": row.pk})
    assert resp.status_code == 404
    second.refresh_from_db()
    assert second.merged_into is None
