"""Finding 2: every read path of a case is accounted for like the console's, and bulk reads
over the API follow the export rule (commanders, duty desk, province command)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from binhyen.accounts.services import api_token_create
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.cases.models import Attachment, Case
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.testing import PASSWORD
from binhyen.vault.services import case_protection_set


def _case(page, text: str, user: str) -> Case:
    message_receive(
        incoming=IncomingMessage(
            channel_account=page,
            contact_key=f"user:{user}",
            contact_kind="zalo_user",
            provider_message_id=f"m-{user}-{text}",
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": user},
        )
    )
    return Case.objects.filter(channel_account=page).latest("opened_at")


def _bearer(user) -> dict[str, str]:
    _row, token = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _views(case: Case) -> int:
    return AuditEntry.objects.filter(
        action=AuditAction.CASE_VIEW_SENSITIVE, target_type="cases.case", target_id=str(case.pk)
    ).count()


@pytest.fixture
def protected(world) -> Case:
    case = _case(world.bmt_page, "Có người buôn bán ma túy ở hẻm 12", "u-secret")
    case_protection_set(case=case, actor=None, secrecy=True)
    return case


def test_api_detail_of_a_protected_case_is_recorded_like_the_console(world, protected, client):
    resp = client.get(f"/api/v1/cases/{protected.pk}", **_bearer(world.officer_bmt))
    assert resp.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.CASE_VIEW_SENSITIVE)
    assert entry.actor_id == world.officer_bmt.pk
    assert entry.target_id == str(protected.pk)


def test_console_and_api_reads_of_a_protected_case_leave_the_same_entry(world, protected, client):
    assert client.login(username="officer.bmt", password=PASSWORD)
    assert client.get(f"/tin-bao/{protected.pk}/").status_code == 200
    console = AuditEntry.objects.get(action=AuditAction.CASE_VIEW_SENSITIVE)
    client.logout()
    client.get(f"/api/v1/cases/{protected.pk}", **_bearer(world.commander_bmt))
    api = AuditEntry.objects.filter(action=AuditAction.CASE_VIEW_SENSITIVE).latest("seq")
    assert api.seq != console.seq and api.actor_id == world.commander_bmt.pk
    assert (console.summary, console.target_id) == (api.summary, api.target_id)


def test_protected_case_file_download_is_recorded(world, protected, client):
    message = protected.messages.get()
    att = Attachment.objects.create(
        message=message, token="f" * 32, kind="file", name="a.pdf", content_type="application/pdf"
    )
    att.file.save("a.pdf", ContentFile(b"%PDF-1.4"))
    assert client.login(username="officer.bmt", password=PASSWORD)
    resp = client.get(f"/tin-bao/tep/{att.token}/")
    assert resp.status_code == 200
    assert _views(protected) == 1


def test_plain_officer_cannot_pull_the_units_cases_over_the_api(world, client):
    for i in range(3):
        _case(world.bmt_page, f"tin số {i}", f"u{i}")
    mine = _case(world.bmt_page, "tin giao cho tôi", "u-mine")
    Case.objects.filter(pk=mine.pk).update(assigned_to=world.officer_bmt)
    officer = client.get("/api/v1/cases", **_bearer(world.officer_bmt)).json()
    assert [c["code"] for c in officer["items"]] == [mine.code]
    commander = client.get("/api/v1/cases", **_bearer(world.commander_bmt)).json()
    assert commander["count"] == 4


def test_api_listing_is_recorded_once_per_page_read(world, protected, client):
    client.get("/api/v1/cases", **_bearer(world.commander_bmt))
    entry = AuditEntry.objects.get(action=AuditAction.CASE_BULK_READ)
    assert entry.actor_id == world.commander_bmt.pk
    assert entry.details["rows"] == 1 and entry.details["protected"] == 1
    assert entry.details["case_codes"] == [protected.code]
