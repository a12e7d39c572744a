"""Every new case and every new message on an open case is read in the background."""

from __future__ import annotations

from binhyen.cases import services as cases
from binhyen.cases.models import CaseEvent, Status
from binhyen.duty.models import Alert
from binhyen.testing import post_zalo, secret_of, zalo_event
from binhyen.triage import engine
from binhyen.triage.models import Suggestion
from binhyen.triage.services import case_triage
from binhyen.triage.tests.helpers import receive

FIGHT = "công an ơi có 2 nhóm thanh niên cầm dao đánh nhau ở chợ Tân An, tới ngay"


def test_new_case_gets_a_suggestion_with_reasons_and_model_version(world, send):
    case = send(FIGHT, page=world.tanan_page)
    s = Suggestion.objects.get(case=case)
    assert (s.intent, s.category, s.urgency) == ("tip", "public_order", "critical")
    assert s.place_codes == ["24163"]
    assert s.reasons["category"] and s.reasons["urgency"] and s.place_reasons
    assert s.model_version == engine.active_triager().model_version
    assert s.message is not None and s.text == FIGHT


def test_suggestion_shows_the_machine_view_but_leaves_the_status(world, send):
    case = send(FIGHT, page=world.tanan_page)
    case.refresh_from_db()
    assert (case.intent, case.category, case.urgency) == ("tip", "public_order", "critical")
    assert case.status == Status.RECEIVED and case.classified_at is None
    assert CaseEvent.objects.filter(case=case, kind="triaged").exists()


def test_critical_tip_suggestion_rings_an_alert(world, send):
    case = send(FIGHT, page=world.tanan_page)
    alert = Alert.objects.get(case=case)
    assert alert.acknowledged_at is None


def test_citizen_is_acknowledged_once_the_tip_is_read(world, send):
    case = send(FIGHT, page=world.tanan_page)
    assert CaseEvent.objects.filter(case=case, kind="notice", data__code="ack_tip").count() == 1


def test_new_message_on_an_open_case_is_read_with_the_earlier_ones(world, send):
    first = send("chào anh chị công an ạ", page=world.tanan_page)
    assert Suggestion.objects.get(case=first).intent == "other"
    case = send("nhà hàng xóm đang cháy lớn, có người mắc kẹt bên trong", page=world.tanan_page)
    assert case.pk == first.pk
    latest = Suggestion.objects.filter(case=case).order_by("-id")[0]
    assert latest.text.startswith("chào anh chị") and "đang cháy" in latest.text
    case.refresh_from_db()
    assert (case.intent, case.category, case.urgency) == ("tip", "fire_rescue", "critical")


def test_officer_classification_is_never_overwritten(world, send):
    case = send("Có trộm vào nhà em lấy mất xe máy tối qua", page=world.bmt_page)
    cases.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="fraud", urgency="normal"
    )
    send("bọn nó đang cầm dao đánh nhau trước nhà em", page=world.bmt_page)
    case.refresh_from_db()
    assert (case.intent, case.category, case.urgency) == ("tip", "fraud", "normal")
    latest = Suggestion.objects.filter(case=case).order_by("-id")[0]
    assert "đang cầm dao" in latest.text and latest.applied is False


def test_running_the_task_twice_changes_nothing(world, drain):
    case = receive(world, FIGHT)
    drain()
    message = case.messages.filter(direction="in").get()
    again = case_triage(case=case, message=message)
    assert again == Suggestion.objects.get(case=case)
    assert CaseEvent.objects.filter(case=case, kind="triaged").count() == 1


def test_image_without_text_is_not_guessed(world, client, drain):
    payload = zalo_event("user_send_image", page=world.bmt_page)
    payload["message"].pop("text", None)  # no caption
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    s = Suggestion.objects.get()
    assert s.intent == "" and s.applied is False
    assert s.case.intent == "unknown"


def test_the_newest_message_naming_a_place_decides_it(db):
    result = engine.read(
        engine.active_triager(),
        ["đánh nhau ở phường Tân Lợi cũ", "à nhầm, ở chợ Tân An", "bọn nó vẫn đang ở đó"],
    )
    assert result.place_codes == ["24163"]
    assert result.intent == "tip"
