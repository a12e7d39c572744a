"""Officers confirm or correct each suggested field in one click, from the case page."""

from __future__ import annotations

import pytest

from binhyen.cases.models import CaseEvent, Status
from binhyen.testing import PASSWORD
from binhyen.triage.models import Correction, LabelledExample, Suggestion

THEFT = "Tối qua nhà em ở chợ Tân An bị trộm mất xe máy, mong công an xác minh giúp"


@pytest.fixture
def theft(world, send, client):
    case = send(THEFT, page=world.tanan_page)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    return case, Suggestion.objects.get(case=case)


def test_case_page_shows_the_suggestion_with_reasons(world, theft, client):
    case, _ = theft
    body = client.get(f"/tin-bao/{case.pk}/").content.decode()
    assert "Máy gợi ý" in body
    assert "trộm cắp, cướp" in body and "Phường Tân An" in body
    assert "Xác nhận gợi ý" in body


def test_confirm_classifies_the_case_as_suggested_in_one_click(world, theft, client):
    case, s = theft
    resp = client.post(f"/tin-bao/{case.pk}/phan-loai/xac-nhan/", {"suggestion": s.pk})
    assert resp.status_code == 302
    case.refresh_from_db()
    s.refresh_from_db()
    assert case.status == Status.CLASSIFIED
    assert (case.intent, case.category, case.urgency) == (s.intent, s.category, s.urgency)
    assert s.confirmed_by == world.officer_tanan
    event = CaseEvent.objects.get(case=case, kind="status:classify")
    assert event.actor == world.officer_tanan and "xác nhận gợi ý" in event.text
    assert not Correction.objects.exists()


def test_correcting_urgency_classifies_and_keeps_a_labelled_example(world, theft, client):
    case, s = theft
    client.post(
        f"/tin-bao/{case.pk}/phan-loai/sua/",
        {"suggestion": s.pk, "field": "urgency", "value": "high"},
    )
    case.refresh_from_db()
    assert case.status == Status.CLASSIFIED and case.urgency == "high"
    correction = Correction.objects.get()
    assert (correction.field, correction.suggested, correction.corrected) == (
        "urgency",
        "normal",
        "high",
    )
    assert correction.officer == world.officer_tanan
    example = LabelledExample.objects.get()
    assert example.text == THEFT
    assert (example.intent, example.category, example.urgency) == ("tip", "theft_robbery", "high")
    assert example.place_codes == ["24163"]
    assert example.as_example() is not None


def test_correcting_intent_away_from_tip_clears_category_and_urgency(world, theft, client):
    case, s = theft
    client.post(
        f"/tin-bao/{case.pk}/phan-loai/sua/",
        {"suggestion": s.pk, "field": "intent", "value": "feedback"},
    )
    case.refresh_from_db()
    assert (case.intent, case.category, case.urgency) == ("feedback", "", "")
    example = LabelledExample.objects.get()
    assert (example.intent, example.category, example.urgency) == ("feedback", "", "")


def test_correcting_a_question_into_a_tip_needs_category_and_urgency(world, send, client):
    case = send("cho em hỏi thủ tục làm căn cước cho con ở phường Tân An", page=world.tanan_page)
    s = Suggestion.objects.get(case=case)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    url = f"/tin-bao/{case.pk}/phan-loai/sua/"
    client.post(url, {"suggestion": s.pk, "field": "intent", "value": "tip"})
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and not Correction.objects.exists()
    client.post(
        url,
        {
            "suggestion": s.pk,
            "field": "intent",
            "value": "tip",
            "category": "other_crime",
            "urgency": "normal",
        },
    )
    case.refresh_from_db()
    assert (case.intent, case.category, case.urgency) == ("tip", "other_crime", "normal")
    assert Correction.objects.get().corrected == "tip"


def test_correcting_the_place_records_it_and_moves_the_case_when_allowed(world, send, client):
    case = send("Tối qua có trộm xe máy ở nhà em", page=world.province_page)
    s = Suggestion.objects.get(case=case)
    client.login(username=world.province_officer.username, password=PASSWORD)
    client.post(
        f"/tin-bao/{case.pk}/phan-loai/sua/",
        {"suggestion": s.pk, "field": "place_codes", "value": "24133"},
    )
    case.refresh_from_db()
    assert case.unit == world.bmt
    correction = Correction.objects.get()
    assert (correction.field, correction.suggested, correction.corrected) == (
        "place_codes",
        "",
        "24133",
    )
    assert LabelledExample.objects.get().place_codes == ["24133"]
    assert "sửa địa bàn" in CaseEvent.objects.get(case=case, kind="transferred").text


def test_a_place_outside_the_officers_reach_is_recorded_but_the_case_stays(world, theft, client):
    case, s = theft
    client.post(
        f"/tin-bao/{case.pk}/phan-loai/sua/",
        {"suggestion": s.pk, "field": "place_codes", "value": "24133"},
    )
    case.refresh_from_db()
    assert case.unit == world.tanan
    assert Correction.objects.get().corrected == "24133"


def test_labelled_examples_hold_no_identity_data():
    fields = {f.name for f in LabelledExample._meta.get_fields()}
    fields |= {f.name for f in Correction._meta.get_fields()}
    assert not fields & {"contact", "identity", "conversation", "pseudonym", "phone", "name"}


def test_the_general_classify_form_also_keeps_corrections(world, theft, client):
    """Officers often classify through "Xử lý → Phân loại" rather than the panel: what they
    chose there differs from the suggestion just the same, and is kept for training."""
    case, s = theft
    other = "critical" if s.urgency != "critical" else "normal"
    resp = client.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "classify", "intent": "tip", "category": s.category, "urgency": other},
    )
    assert resp.status_code == 302
    [correction] = Correction.objects.all()
    assert (correction.field, correction.suggested, correction.corrected) == (
        "urgency", s.urgency, other,
    )  # fmt: skip
    example = LabelledExample.objects.get()
    assert (example.text, example.urgency, example.officer) == (s.text, other, world.officer_tanan)
    # People read words, not codes: in the panel's corrections and in the timeline.
    body = client.get(f"/tin-bao/{case.pk}/").content.decode()
    words = {"critical": "Khẩn cấp", "high": "Cao", "normal": "Bình thường"}
    assert f"{words[s.urgency]} → {words[other]}" in body
    assert "Phân loại: Tin báo · Trộm cắp, cướp · " + words[other] in body
    assert f"· {other}" not in body and "· theft_robbery" not in body
    # The same answer again is not a second correction; changing back keeps the example true.
    client.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "classify", "intent": "tip", "category": s.category, "urgency": other},
    )
    assert Correction.objects.count() == 1
    client.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "classify", "intent": "tip", "category": s.category, "urgency": s.urgency},
    )
    example.refresh_from_db()
    assert Correction.objects.count() == 1 and example.urgency == s.urgency


def test_classifying_as_suggested_through_the_form_is_not_a_correction(world, theft, client):
    case, s = theft
    client.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "classify", "intent": s.intent, "category": s.category, "urgency": s.urgency},
    )
    case.refresh_from_db()
    assert case.status == Status.CLASSIFIED
    assert not Correction.objects.exists() and not LabelledExample.objects.exists()


def test_a_panel_correction_is_recorded_once(world, theft, client):
    case, s = theft
    other = "critical" if s.urgency != "critical" else "normal"
    client.post(
        f"/tin-bao/{case.pk}/phan-loai/sua/",
        {"suggestion": s.pk, "field": "urgency", "value": other},
    )
    [correction] = Correction.objects.all()
    assert (correction.field, correction.corrected) == ("urgency", other)
