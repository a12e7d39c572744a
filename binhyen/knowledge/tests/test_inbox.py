"""Question cases in the inbox: suggested answers, automatic answers, unanswered questions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from binhyen.cases.models import Intent, Message
from binhyen.knowledge import services
from binhyen.knowledge.models import Answer, Procedure, Unanswered
from binhyen.testing import PASSWORD

QUESTION = "Cho em hỏi đăng ký tạm trú ở đâu vậy ạ, em mới thuê trọ ở phường Buôn Ma Thuột"
OUT_OF_BASE = "Cho hỏi đăng ký kết hôn với người ở tỉnh khác thì làm ở UBND xã nào ạ?"
TIP = (
    "Nhà trọ cạnh nhà em có mấy người lạ thuê ở không đăng ký tạm trú, tối nào cũng tụ tập "
    "hút ma túy, bán ma túy cho học sinh"
)


def _auto(case) -> list[Message]:
    return list(
        Message.objects.filter(
            case=case, direction=Message.Direction.OUT, author_label="Trả lời tự động"
        )
    )


@pytest.fixture
def approved(approver):
    return services.procedure_approve(
        procedure=Procedure.objects.get(slug="dang-ky-tam-tru"), actor=approver
    )


@pytest.fixture
def auto_on(world):
    return services.setting_update(unit=world.bmt, auto_answer=True, min_score=0.3)


def test_automatic_answer_for_an_approved_sure_match(world, send, approved, auto_on):
    case = send(QUESTION)
    assert case.intent == Intent.QUESTION
    [msg] = _auto(case)
    assert "Đăng ký tạm trú" in msg.text
    assert "/thu-tuc/dang-ky-tam-tru/" in msg.text
    assert "cán bộ sẽ xác nhận nếu cần" in msg.text
    assert case.is_open  # stays open for review
    answer = Answer.objects.get(case=case)
    assert answer.kind == Answer.Kind.AUTOMATIC and answer.procedure == approved
    assert case.events.filter(kind="knowledge_auto").exists()


def test_no_automatic_answer_when_the_unit_did_not_switch_it_on(send, approved):
    case = send(QUESTION)
    assert _auto(case) == []


def test_no_automatic_answer_for_a_draft_entry(send, auto_on):
    case = send(QUESTION)
    assert _auto(case) == []


def test_no_automatic_answer_under_the_units_threshold(world, send, approved):
    services.setting_update(unit=world.bmt, auto_answer=True, min_score=0.95)
    case = send(QUESTION)
    assert _auto(case) == []


def test_a_setting_above_applies_to_the_communes_below(world, send, approved):
    services.setting_update(unit=world.province, auto_answer=True, min_score=0.3)
    case = send(QUESTION)
    assert len(_auto(case)) == 1


def test_never_for_a_tip(send, approved, auto_on):
    case = send(TIP)
    assert case.intent == Intent.TIP
    assert _auto(case) == []
    assert not Answer.objects.filter(case=case).exists()
    assert not Unanswered.objects.filter(case=case).exists()


def test_only_inside_zalos_free_reply_window(world, send, approved, auto_on):
    case = send(QUESTION)
    Answer.objects.all().delete()
    Message.objects.filter(author_label="Trả lời tự động").delete()
    later = timezone.now() + timedelta(hours=49)  # the paid window: no automatic message
    assert services.question_answer_auto(case=case, at=later) is None
    with time_machine.travel(later, tick=False):
        assert services.question_answer_auto(case=case) is None
    assert services.question_answer_auto(case=case, at=timezone.now()) is not None


def test_out_of_base_question_joins_the_unanswered_list(world, send, client, editor):
    case = send(OUT_OF_BASE)
    assert case.intent == Intent.QUESTION
    row = Unanswered.objects.get(case=case)
    assert row.unit == world.bmt and "ket hon" in row.folded
    client.login(username=editor.username, password=PASSWORD)
    body = client.get("/bien-tap-thu-tuc/chua-tra-loi/").content.decode()
    assert "ket hon" in body and world.bmt.name in body


def test_officer_sends_a_suggested_answer_and_it_counts_as_feedback(world, send, client):
    case = send(QUESTION)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    page = client.get(f"/tin-bao/{case.pk}/").content.decode()
    assert "Thủ tục phù hợp" in page and "dang-ky-tam-tru" in page
    text = services.draft_text(Procedure.objects.get(slug="dang-ky-tam-tru")) + "\nCán bộ A."
    resp = client.post(
        f"/tin-bao/{case.pk}/tra-loi-thu-tuc/",
        {
            "slug": "dang-ky-tam-tru",
            "text": text,
            "suggested": "dang-ky-tam-tru,dang-ky-thuong-tru",
        },
    )
    assert resp.status_code == 302
    out = Message.objects.get(case=case, direction=Message.Direction.OUT, author=world.officer_bmt)
    assert out.text.endswith("Cán bộ A.")
    fb = Answer.objects.get(case=case, kind=Answer.Kind.OFFICER)
    assert fb.procedure.slug == "dang-ky-tam-tru" and fb.rank == 0 and fb.actor == world.officer_bmt
    assert "tạm trú" in fb.question


def test_officers_choice_teaches_the_search(world, send, client):
    from binhyen.knowledge import search

    odd = "cái giấy cho ở nhờ nhà người quen ấy xin chỗ nào"
    before = [m.procedure.slug for m in search.search(odd)]
    assert before[:1] != ["dang-ky-tam-tru"]
    case = send(odd)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    client.post(
        f"/tin-bao/{case.pk}/tra-loi-thu-tuc/",
        {"slug": "dang-ky-tam-tru", "text": "Đăng ký tạm trú…", "suggested": ",".join(before)},
    )
    assert Answer.objects.filter(kind=Answer.Kind.OFFICER).count() == 1
    assert search.search(odd)[0].procedure.slug == "dang-ky-tam-tru"


def test_another_communes_officer_cannot_answer(world, send, client):
    case = send(QUESTION)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    resp = client.post(
        f"/tin-bao/{case.pk}/tra-loi-thu-tuc/", {"slug": "dang-ky-tam-tru", "text": "x"}
    )
    assert resp.status_code == 404
    assert not Answer.objects.filter(kind=Answer.Kind.OFFICER).exists()
