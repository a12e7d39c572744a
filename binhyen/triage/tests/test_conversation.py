"""One conversation, many cases: a later message never lowers what an earlier one established,
and a message that is clearly something else opens its own case."""

from __future__ import annotations

import pytest

from binhyen.cases.models import Case, Message
from binhyen.clocks.models import CaseClock

KNIFE = (
    "Khẩn: có hai thanh niên cầm dao đang đe dọa chủ quán bida ở đường Nguyễn Văn Cừ, "
    "phường Tân Lập, tới ngay giúp em"
)
QUESTION = "Cho em hỏi thêm: làm căn cước cho con 10 tuổi thì cần giấy tờ gì ạ?"


def test_a_question_after_an_urgent_tip_does_not_lower_it(world, send):
    case = send(KNIFE)
    case.refresh_from_db()
    assert (case.intent, case.urgency) == ("tip", "critical")
    send(QUESTION)
    case.refresh_from_db()
    assert (case.intent, case.urgency) == ("tip", "critical")
    assert case.category
    running = CaseClock.objects.filter(case=case, state=CaseClock.State.RUNNING)
    assert running.filter(rule_code="first_ack_critical").exists()
    assert not running.filter(rule_code="first_ack_normal").exists()


def test_a_question_after_a_tip_opens_its_own_linked_case(world, send):
    tip = send(KNIFE)
    question = send(QUESTION)
    assert question.pk != tip.pk
    question.refresh_from_db()
    assert question.split_from_id == tip.pk
    assert question.conversation_id == tip.conversation_id
    assert question.intent == "question"
    assert Message.objects.get(text=QUESTION).case_id == question.pk
    assert tip.events.filter(kind="split", data__new_case=question.pk).exists()
    assert question.events.filter(kind="split_from").exists()
    # A follow-up about the incident still goes to the tip, not to the question.
    later = send("bọn nó vẫn đang đứng trước quán, tay cầm dao")
    assert later.pk == tip.pk
    assert Case.objects.filter(conversation=tip.conversation).count() == 2


def test_a_question_has_its_own_code_prefix_and_an_operational_clock(world, send):
    send(KNIFE)
    question = send(QUESTION)
    question.refresh_from_db()
    assert question.code.startswith("HD-")
    running = CaseClock.objects.filter(case=question, state=CaseClock.State.RUNNING)
    assert running.filter(rule_code="answer", kind="operational").exists()
    assert not running.filter(rule_code="classify").exists()
    # The acknowledgement names the question's own code.
    out = Message.objects.filter(case=question, direction="out").values_list("text", flat=True)
    assert any(question.code in text for text in out)


def test_a_question_asked_alone_gets_a_question_code(world, send):
    case = send("Cho em hỏi thủ tục đăng ký tạm trú cho người thuê trọ cần những giấy tờ gì ạ?")
    case.refresh_from_db()
    assert case.intent == "question" and case.code.startswith("HD-")


def test_web_form_cases_show_no_zalo_reply_windows(world, client, drain):
    from binhyen.clocks.services import case_clock_summary
    from binhyen.tips.services import web_form_connect
    from binhyen.tips.tests.helpers import form_data

    web_form_connect(unit=world.province)
    client.post("/bao-tin/", form_data())
    drain()
    case = Case.objects.get()
    codes = {v.code for v in case_clock_summary(case)}
    assert codes and not codes & {"zalo_free", "zalo_paid"}
    client.force_login(world.province_officer)
    resp = client.get(f"/tin-bao/{case.pk}/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert case.code in body and "trang theo dõi tin" in body
    assert "Zalo:" not in body and "Nhắn miễn phí" not in body


def test_officer_splits_a_message_and_moves_it_back_with_one_click(world, send, client):
    from binhyen.audit.models import AuditEntry
    from binhyen.testing import PASSWORD

    tip = send(KNIFE, page=world.tanan_page)
    tip.refresh_from_db()
    later = "À còn một chuyện nữa: nhà bên cạnh hay mở nhạc to đến nửa đêm"
    assert send(later, page=world.tanan_page).pk == tip.pk
    message = Message.objects.get(text=later)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    page = client.get(f"/tin-bao/{tip.pk}/").content.decode()
    assert "Tách thành vụ việc mới" in page
    resp = client.post(f"/tin-bao/{tip.pk}/tach/{message.pk}/")
    message.refresh_from_db()
    new = Case.objects.get(pk=message.case_id)
    assert new.pk != tip.pk and new.split_from_id == tip.pk
    assert resp.status_code == 302 and resp["Location"].endswith(f"/tin-bao/{new.pk}/")
    assert AuditEntry.objects.filter(action="case.split", actor=world.officer_tanan).exists()
    page = client.get(f"/tin-bao/{new.pk}/").content.decode()
    assert "Chuyển sang vụ việc" in page and tip.code in page
    client.post(f"/tin-bao/{new.pk}/chuyen-tin/{message.pk}/", {"to_case": tip.pk})
    message.refresh_from_db()
    assert message.case_id == tip.pk
    assert tip.events.filter(kind="message_moved_in").exists()
    assert AuditEntry.objects.filter(action="case.message_move").exists()


def test_officer_of_another_unit_cannot_split(world, send, client):
    from binhyen.testing import PASSWORD

    tip = send(KNIFE, page=world.tanan_page)
    send("em gửi thêm: chúng nó đi xe máy màu đỏ", page=world.tanan_page)
    message = Message.objects.filter(case=tip, direction="in").order_by("-id")[0]
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    resp = client.post(f"/tin-bao/{tip.pk}/tach/{message.pk}/")
    assert resp.status_code in (403, 404)
    message.refresh_from_db()
    assert message.case_id == tip.pk


def test_when_the_machine_is_unsure_it_asks_the_officer(world, send, client, monkeypatch):
    from binhyen.testing import PASSWORD
    from binhyen.triage import services

    # Whatever the model's figures, a reading between the two thresholds asks.
    monkeypatch.setattr(services, "SPLIT_ASK", 0.0)
    monkeypatch.setattr(services, "SPLIT_SURE", 1.01)
    tip = send(KNIFE, page=world.tanan_page)
    case = send(QUESTION, page=world.tanan_page)
    message = Message.objects.get(text=QUESTION)
    assert case.pk == tip.pk
    assert tip.events.filter(kind="split_suggested", data__message=message.pk).exists()
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    page = client.get(f"/tin-bao/{tip.pk}/").content.decode()
    assert "cần cán bộ quyết định" in page


def test_a_later_reading_never_lowers_the_case_even_when_nothing_splits(world, send, monkeypatch):
    from binhyen.lib.triage.triager import TriageResult
    from binhyen.triage import services

    monkeypatch.setattr(services, "SPLIT_ASK", 2.0)  # no split, no question asked
    monkeypatch.setattr(services, "SPLIT_SURE", 2.0)
    read = services.engine.read

    def later_reads_as_a_question(triager, texts):  # whatever the model makes of the thread
        if len(texts) == 1:
            return read(triager, texts)
        return TriageResult("question", None, None, [], confidence={"intent": 0.95})

    monkeypatch.setattr(services.engine, "read", later_reads_as_a_question)
    case = send(KNIFE)
    assert send(QUESTION).pk == case.pk
    case.refresh_from_db()
    assert (case.intent, case.urgency) == ("tip", "critical") and case.category
    from binhyen.triage.models import Suggestion

    latest = Suggestion.objects.filter(case=case).order_by("-id")[0]
    assert latest.intent == "question"  # the reading is kept for the officer, not applied
    running = CaseClock.objects.filter(case=case, state=CaseClock.State.RUNNING)
    assert running.filter(rule_code="first_ack_critical").exists()
    assert running.filter(rule_code="classify").exists()
    assert not running.filter(rule_code="answer").exists()


@pytest.mark.parametrize(
    ("current", "new", "kept"),
    [
        (
            ("tip", "public_order", "critical"),
            ("question", "", ""),
            ("tip", "public_order", "critical"),
        ),
        (
            ("tip", "public_order", "critical"),
            ("tip", "traffic", "normal"),
            ("tip", "public_order", "critical"),
        ),
        (
            ("tip", "theft_robbery", "normal"),
            ("tip", "public_order", "critical"),
            ("tip", "public_order", "critical"),
        ),
        (("other", "", ""), ("tip", "fire_rescue", "high"), ("tip", "fire_rescue", "high")),
        (("other", "", ""), ("question", "", ""), ("question", "", "")),
        (("question", "", ""), ("tip", "drugs", "normal"), ("tip", "drugs", "normal")),
        (("unknown", "", ""), ("question", "", ""), ("question", "", "")),
    ],
)
def test_the_most_serious_reading_wins(current, new, kept):
    from binhyen.triage.models import Suggestion
    from binhyen.triage.services import most_serious

    s = Suggestion(intent=new[0], category=new[1], urgency=new[2])
    assert most_serious(current, s) == kept


GAMBLING_ELSEWHERE = (
    "Còn một chuyện nữa: ở phường Tân An có một nhà tổ chức đánh bạc, sát phạt ăn tiền "
    "mấy chục người mỗi tối"
)
FLED_ELSEWHERE = "Bọn nó cầm dao chạy sang phường Tân An rồi, đang đuổi đánh người ở đó"
SAME_KIND_ELSEWHERE = (
    "Ở phường Tân An cũng có một nhóm thanh niên cầm dao đang đánh nhau ngoài đường"
)


def test_a_new_incident_in_another_place_opens_its_own_case(world, send):
    tip = send(KNIFE)
    other = send(GAMBLING_ELSEWHERE)
    assert other.pk != tip.pk
    other.refresh_from_db()
    tip.refresh_from_db()
    assert other.split_from_id == tip.pk
    assert other.intent == "tip" and other.category == "gambling"
    assert other.unit == world.tanan  # routed by its own place, not the knife report's
    assert (tip.intent, tip.urgency) == ("tip", "critical")
    assert tip.category != "gambling"
    assert tip.events.filter(kind="split", data__automatic=True).exists()


def test_the_same_incident_moving_elsewhere_stays_in_its_case(world, send):
    tip = send(KNIFE)
    later = send(FLED_ELSEWHERE)
    assert later.pk == tip.pk
    assert not tip.events.filter(kind__in=["split", "split_suggested"]).exists()


def test_the_same_kind_of_incident_elsewhere_asks_the_officer(world, send):
    tip = send(KNIFE)
    later = send(SAME_KIND_ELSEWHERE)
    assert later.pk == tip.pk
    message = Message.objects.get(text=SAME_KIND_ELSEWHERE)
    event = tip.events.get(kind="split_suggested", data__message=message.pk)
    assert "nơi khác" in event.text
    assert Case.objects.filter(conversation=tip.conversation).count() == 1


def test_a_corrected_place_asks_the_officer_instead_of_splitting(world, send):
    tip = send(KNIFE)
    text = "À em nhầm, chỗ đó là phường Tân An, ở đó đang có mấy người tổ chức đánh bạc ăn tiền"
    later = send(text)
    assert later.pk == tip.pk
    message = Message.objects.get(text=text)
    assert tip.events.filter(kind="split_suggested", data__message=message.pk).exists()


def test_a_later_tip_about_the_same_place_stays_in_the_case(world, send):
    tip = send(KNIFE)
    later = send("Ở phường Tân Lập, bọn nó còn đập phá bàn ghế của quán bida nữa")
    assert later.pk == tip.pk
    assert not tip.events.filter(kind__in=["split", "split_suggested"]).exists()
