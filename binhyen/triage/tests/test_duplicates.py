"""Two citizens reporting the same event: found, merged in one click, and undone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from binhyen.cases.models import CaseEvent, Outcome, Status
from binhyen.testing import PASSWORD
from binhyen.triage.duplicates import score_pair, text_similarity
from binhyen.triage.models import DuplicateCandidate

FIRST = "Có 2 nhóm thanh niên cầm dao đánh nhau ở chợ Tân An, công an tới ngay"
SECOND = "cs oi dang co danh nhau o cho tan an, nhieu thanh nien cam dao lam"


@pytest.fixture
def pair(world, send):
    first = send(FIRST, page=world.tanan_page, user_id="111")
    second = send(SECOND, page=world.tanan_page, user_id="222")
    return first, second


def test_second_report_of_the_same_fight_is_a_likely_duplicate(pair):
    first, second = pair
    row = DuplicateCandidate.objects.get()
    assert (row.case, row.other) == (second, first)
    assert row.score >= 0.6
    assert "cùng địa bàn" in row.reasons and any("nội dung giống" in r for r in row.reasons)


def test_report_of_another_event_is_not_a_duplicate(world, send):
    send(FIRST, page=world.tanan_page, user_id="111")
    send("Có đối tượng lừa đảo qua điện thoại giả danh công an đòi chuyển tiền", user_id="222")
    assert not DuplicateCandidate.objects.exists()


def test_reports_hours_apart_are_not_compared(world, send):
    with time_machine.travel(timezone.now() - timedelta(hours=8)):
        send(FIRST, page=world.tanan_page, user_id="111")
    send(SECOND, page=world.tanan_page, user_id="222")
    assert not DuplicateCandidate.objects.exists()


def test_case_page_shows_the_duplicate_with_its_score(world, pair, client):
    first, second = pair
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    body = client.get(f"/tin-bao/{second.pk}/").content.decode()
    score = round(DuplicateCandidate.objects.get().score * 100)
    assert "Nghi trùng" in body and first.code in body and f"{score}%" in body


def test_merge_from_the_case_page_then_undo(world, pair, client):
    first, second = pair
    row = DuplicateCandidate.objects.get()
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    resp = client.post(f"/tin-bao/{second.pk}/phan-loai/gop/", {"candidate": row.pk})
    assert resp.status_code == 302 and resp["Location"] == f"/tin-bao/{first.pk}/"
    second.refresh_from_db()
    assert second.merged_into == first
    assert second.status == Status.RESOLVED and second.outcome == Outcome.DUPLICATE
    assert second.contact_id != first.contact_id
    assert CaseEvent.objects.filter(case=first, kind="merged").exists()

    resp = client.post(f"/tin-bao/{second.pk}/phan-loai/tach/", {"reason": "hai vụ khác nhau"})
    assert resp.status_code == 302
    second.refresh_from_db()
    assert second.merged_into is None and second.is_open
    row.refresh_from_db()
    assert row.dismissed_by == world.officer_tanan


def test_dismissed_pair_is_no_longer_offered(world, pair, client):
    first, second = pair
    row = DuplicateCandidate.objects.get()
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    client.post(f"/tin-bao/{first.pk}/phan-loai/khong-trung/", {"candidate": row.pk})
    row.refresh_from_db()
    assert row.dismissed_at is not None
    assert "Nghi trùng" not in client.get(f"/tin-bao/{second.pk}/").content.decode()


def test_text_similarity_ignores_accents_and_teencode():
    assert text_similarity(FIRST, SECOND) > 0.5
    assert text_similarity(FIRST, "mất trộm xe máy ở Buôn Ma Thuột tối qua") < 0.2


def test_same_place_category_and_hour_with_different_words_is_borderline():
    score, _reasons, _parts = score_pair(
        text_a="trộm xe máy ở chợ",
        text_b="nhà em mất xe rồi",
        places_a=["24163"],
        places_b=["24163"],
        category_a="theft_robbery",
        category_b="theft_robbery",
        minutes_apart=20,
    )
    assert 0.4 < score < 0.6


def test_a_later_message_rescores_the_pair_once_and_keeps_a_dismissal(world, send):
    first = send(FIRST, page=world.tanan_page, user_id="111")
    second = send(SECOND, page=world.tanan_page, user_id="222")
    row = DuplicateCandidate.objects.get()
    assert (row.case, row.other) == (second, first)
    # The same citizen writes again: the pair is re-scored in place, not written twice.
    again = send("van con dang danh nhau o cho tan an", page=world.tanan_page, user_id="222")
    assert again == second
    rescored = DuplicateCandidate.objects.get()
    assert rescored.pk == row.pk and rescored.updated_at > row.updated_at
    # Dismissed by an officer: a later message does not offer it again.
    DuplicateCandidate.objects.filter(pk=row.pk).update(dismissed_at=timezone.now(), score=0.01)
    send("cho tan an van con danh nhau, co nguoi cam dao", page=world.tanan_page, user_id="222")
    kept = DuplicateCandidate.objects.get()
    assert kept.pk == row.pk and kept.score == 0.01 and kept.dismissed_at is not None
