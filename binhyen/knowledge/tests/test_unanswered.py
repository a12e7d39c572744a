"""Editors close unanswered questions: out of scope (a negative example) or linked to an entry
(a paraphrase), both teaching the search; permission-checked by unit."""

from __future__ import annotations

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.services import staff_upsert
from binhyen.knowledge import search, services
from binhyen.knowledge.models import Procedure, Unanswered
from binhyen.testing import PASSWORD

# Outside the base, yet the catalogue's driving-licence entries answer it before an editor acts.
BOAT = "đổi bằng lái tàu cá ở đâu"  # fisheries, not the police
# Answerable (a stay at a relative's is tạm trú), yet worded so that the base finds nothing.
STAY = "cái giấy cho ở nhờ nhà người quen ấy xin chỗ nào"


@pytest.fixture
def editor_tanan(world):
    return staff_upsert(
        username="editor.tanan",
        password=PASSWORD,
        full_name="Editor Tan An",
        memberships=[(world.tanan, Role.EDITOR)],
    )


@pytest.fixture
def gap(world, send):
    """An unanswered question in Buôn Ma Thuột, asked twice (two cases)."""

    def _gap(text: str) -> Unanswered:
        first = send(text, user_id="3456789012345678901")
        case = send(text, user_id="3456789012345678902")
        for c in (first, case):
            services.unanswered_record(case=c, text=text)
        return Unanswered.objects.get(case=case)

    return _gap


def _slugs(text: str) -> list[str]:
    return [m.procedure.slug for m in search.search(text)]


def test_out_of_scope_leaves_the_list_and_teaches_no_answer(client, editor, gap):
    assert _slugs(BOAT)  # the nearest wrong answer, before
    row = gap(BOAT)
    client.login(username=editor.username, password=PASSWORD)
    page = client.get("/bien-tap-thu-tuc/chua-tra-loi/").content.decode()
    first = min(Unanswered.objects.values_list("pk", flat=True))
    assert f'action="/bien-tap-thu-tuc/chua-tra-loi/{first}/"' in page and "tau ca" in page
    resp = client.post(
        f"/bien-tap-thu-tuc/chua-tra-loi/{row.pk}/", {"action": "out_of_scope"}, follow=True
    )
    assert resp.status_code == 200
    assert "ngoài phạm vi (2" in resp.content.decode()
    assert not Unanswered.objects.filter(resolved=False).exists()
    rows = Unanswered.objects.all()
    assert {r.resolution for r in rows} == {Unanswered.Resolution.OUT_OF_SCOPE}
    assert {r.resolved_by for r in rows} == {editor}
    assert _slugs(BOAT) == []
    assert _slugs("muon doi bang lai tau ca thi o dau vay") == []
    # The catalogue's own questions are still answered.
    assert _slugs("mất bằng lái xe thì làm sao")[0] == "gplx-cap-lai"


def test_linking_makes_the_question_an_example_of_the_entry(client, editor, gap):
    assert _slugs(STAY)[:1] != ["dang-ky-tam-tru"]
    version = Procedure.objects.get(slug="dang-ky-tam-tru").version
    row = gap(STAY)
    client.login(username=editor.username, password=PASSWORD)
    resp = client.post(
        f"/bien-tap-thu-tuc/chua-tra-loi/{row.pk}/", {"action": "link", "slug": "dang-ky-tam-tru"}
    )
    assert resp.status_code == 302
    linked = Unanswered.objects.filter(resolution=Unanswered.Resolution.LINKED)
    assert linked.count() == 2
    assert {r.procedure.slug for r in linked if r.procedure} == {"dang-ky-tam-tru"}
    assert _slugs(STAY)[0] == "dang-ky-tam-tru"
    # The entry itself is not edited (no new version, status unchanged).
    p = Procedure.objects.get(slug="dang-ky-tam-tru")
    assert p.version == version and not p.is_approved


def test_another_units_editor_neither_sees_nor_resolves(client, editor_tanan, gap, world):
    row = gap(BOAT)
    client.login(username=editor_tanan.username, password=PASSWORD)
    page = client.get("/bien-tap-thu-tuc/chua-tra-loi/").content.decode()
    assert "tau ca" not in page
    resp = client.post(f"/bien-tap-thu-tuc/chua-tra-loi/{row.pk}/", {"action": "out_of_scope"})
    assert resp.status_code == 404
    assert Unanswered.objects.filter(resolved=False).count() == 2


def test_officers_cannot_resolve(client, world, gap):
    row = gap(BOAT)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    resp = client.post(f"/bien-tap-thu-tuc/chua-tra-loi/{row.pk}/", {"action": "out_of_scope"})
    assert resp.status_code == 403
    assert not Unanswered.objects.filter(resolved=True).exists()


def test_linking_to_an_entry_of_another_unit_is_refused(client, editor_tanan, world, send):
    case = send(STAY, page=world.tanan_page)
    row = services.unanswered_record(case=case, text=STAY)
    Procedure.objects.filter(slug="dang-ky-tam-tru").update(owner_unit=world.bmt)
    client.login(username=editor_tanan.username, password=PASSWORD)
    resp = client.post(
        f"/bien-tap-thu-tuc/chua-tra-loi/{row.pk}/", {"action": "link", "slug": "dang-ky-tam-tru"}
    )
    assert resp.status_code == 403
    assert not Unanswered.objects.get(pk=row.pk).resolved


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "link"}, "Chọn thủ tục"),
        ({"action": "link", "slug": "khong-co-thu-tuc-nay"}, "Không tìm thấy thủ tục"),
        ({"action": "xoa-het"}, "xoa-het"),
    ],
)
def test_bad_input_is_a_clear_400(client, editor, gap, data, message):
    row = gap(BOAT)
    client.login(username=editor.username, password=PASSWORD)
    resp = client.post(f"/bien-tap-thu-tuc/chua-tra-loi/{row.pk}/", data)
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert not Unanswered.objects.filter(resolved=True).exists()


def test_an_officers_answer_resolves_as_answered(world, send, client):
    case = send(STAY)
    services.unanswered_record(case=case, text=STAY)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    client.post(
        f"/tin-bao/{case.pk}/tra-loi-thu-tuc/",
        {"slug": "dang-ky-tam-tru", "text": "Đăng ký tạm trú…"},
    )
    row = Unanswered.objects.get(case=case)
    assert row.resolved and row.resolution == Unanswered.Resolution.ANSWERED
    assert row.procedure and row.procedure.slug == "dang-ky-tam-tru"
