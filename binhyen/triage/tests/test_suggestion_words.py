"""The machine's reading in words on the case page: no model ids for officers, and a reading
the machine is unsure of looks unsure and asks for a decision (issue 11)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from binhyen.cases.models import CaseEvent
from binhyen.testing import PASSWORD
from binhyen.triage.models import Suggestion

THEFT = "Tối qua nhà em ở chợ Tân An bị trộm mất xe máy, mong công an xác minh giúp"
OLD_LINE = "mô hình thống kê triage-v1-70c73c29de (0.55)"


@pytest.fixture
def theft(world, send, client):
    case = send(THEFT, page=world.tanan_page)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    return case, Suggestion.objects.get(case=case)


def page(client, case) -> str:
    body: str = client.get(f"/tin-bao/{case.pk}/").content.decode()
    return body


def test_officers_see_the_confidence_in_words_not_the_model_id(world, theft, client):
    case, s = theft
    body = page(client, case)
    assert s.model_version not in body
    assert "mô hình thống kê" not in body
    assert "độ tin cậy" in body


def test_reasons_stored_with_a_model_id_are_shown_in_words(world, theft, client):
    case, s = theft
    s.reasons = {**s.reasons, "category": ["từ khóa 'trộm' → trộm cắp, cướp", OLD_LINE]}
    s.save(update_fields=["reasons"])
    body = page(client, case)
    assert "máy đoán, độ tin cậy 55 %" in body
    assert "triage-v1-70c73c29de" not in body


def test_the_triaged_timeline_entry_names_no_model(world, theft):
    case, s = theft
    event = CaseEvent.objects.filter(case=case, kind="triaged").latest("pk")
    assert s.model_version not in event.text
    assert "độ tin cậy" in event.text
    assert event.data["model"] == s.model_version  # kept for administrators


def test_administrators_find_the_model_one_click_away(world, theft, client):
    case, s = theft
    admin = get_user_model().objects.create_superuser("quantri11c", password=PASSWORD)
    client.force_login(admin)
    body = page(client, case)
    assert "Chi tiết kỹ thuật" in body and s.model_version in body


def test_a_confident_reading_offers_one_click_confirmation(world, theft, client):
    case, s = theft
    s.confidence = {"intent": 0.97, "category": 0.91, "urgency": 0.88}
    s.save(update_fields=["confidence"])
    body = page(client, case)
    assert 'class="card triage"' in body
    assert "Máy chưa chắc" not in body
    assert 'class="primary wide" type="submit">Xác nhận gợi ý' in body


def test_a_low_confidence_reading_looks_unsure_and_asks_for_a_decision(world, theft, client):
    case, s = theft
    s.confidence = {"intent": 0.93, "category": 0.48, "urgency": 0.81}
    s.save(update_fields=["confidence"])
    body = page(client, case)
    assert 'class="card triage unsure"' in body
    assert "Máy chưa chắc" in body and "độ tin cậy 48 %" in body
    assert 'class="low"' in body  # the unsure field is marked, not the others
    assert body.count('class="low"') == 1
    assert "Xác nhận gợi ý</button>" not in body  # no confident one-click button
    assert "<details open>" in body  # the choice is open for the officer


def test_a_shared_point_lists_units_by_nearness_not_as_belonging(world, send_location, client):
    # No ward boundaries are available offline: distances are to area centres, so the panel
    # says how near each unit's area is, the receiving unit's own distance first (issue 11).
    case = send_location(12.7105, 108.0605, page=world.tanan_page)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    body = page(client, case)
    assert "Có thể thuộc" not in body
    assert "Gần vị trí người dân chia sẻ" in body
    assert "chưa có ranh giới hành chính" in body
    assert "đơn vị đang giữ tin, cách trung tâm 0," in body
    assert "Công an phường Buôn Ma Thuột" in body and "cách trung tâm địa bàn" in body
