"""Duplicate reports merged into one case, reporters kept apart, and the merge undone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from binhyen.audit.models import AuditEntry
from binhyen.cases import services
from binhyen.cases.models import Case, CaseEvent, Outcome, Status
from binhyen.cases.services import CaseError
from binhyen.testing import PASSWORD


def _report(world, user: str, text: str) -> Case:
    services.message_receive(
        incoming=services.IncomingMessage(
            channel_account=world.bmt_page,
            contact_key=f"user:{user}",
            contact_kind="zalo_user",
            provider_message_id=f"m-{user}",
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": user},
        )
    )
    case = Case.objects.get(contact__key_hash__isnull=False, summary=text)
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="public_order", urgency="high"
    )
    return case


@pytest.fixture
def pair(world):
    return (_report(world, "a", "đánh nhau ở chợ"), _report(world, "b", "chợ có đánh nhau"))


def test_merge_keeps_both_reporters_and_all_messages(world, pair):
    primary, dup = pair
    services.case_merge(
        primary=primary, duplicate=dup, actor=world.officer_bmt, reason="cùng vụ đánh nhau"
    )
    dup.refresh_from_db()
    assert dup.merged_into == primary
    assert dup.status == Status.RESOLVED and dup.outcome == Outcome.DUPLICATE
    assert dup.contact_id != primary.contact_id
    assert dup.messages.filter(direction="in").count() == 1
    assert primary.messages.filter(direction="in").count() == 1
    assert CaseEvent.objects.filter(case=primary, kind="merged").exists()
    assert AuditEntry.objects.filter(action="case.merge").count() == 1


def test_merged_thread_shows_on_the_surviving_case(world, pair, client):
    primary, dup = pair
    services.case_merge(primary=primary, duplicate=dup, actor=world.officer_bmt)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    body = client.get(f"/tin-bao/{primary.pk}/").content.decode()
    assert "chợ có đánh nhau" in body and dup.code in body


def test_unmerge_restores_the_case(world, pair):
    primary, dup = pair
    services.case_merge(primary=primary, duplicate=dup, actor=world.officer_bmt)
    services.case_unmerge(duplicate=dup, actor=world.officer_bmt, reason="hai vụ khác nhau")
    dup.refresh_from_db()
    assert dup.merged_into is None and dup.status == Status.CLASSIFIED and dup.outcome == ""
    assert AuditEntry.objects.filter(action="case.unmerge").count() == 1


def test_merge_refusals(world, pair):
    primary, dup = pair
    with pytest.raises(CaseError):
        services.case_merge(primary=primary, duplicate=primary, actor=world.officer_bmt)
    with pytest.raises(CaseError):
        services.case_merge(primary=primary, duplicate=dup, actor=world.officer_tanan)
    services.case_merge(primary=primary, duplicate=dup, actor=world.officer_bmt)
    with pytest.raises(CaseError):
        services.case_merge(primary=primary, duplicate=dup, actor=world.officer_bmt)
    with pytest.raises(CaseError):
        services.case_unmerge(duplicate=primary, actor=world.officer_bmt, reason="x")
