"""A protected case (anonymous, or secrecy asked for) says so wherever it is shown."""

from __future__ import annotations

from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.vault import services
from binhyen.vault.tests.conftest import login


def test_protected_case_says_so_in_the_inbox_and_on_its_page(world, bmt_case, client):
    services.case_protection_set(case=bmt_case, actor=None, secrecy=True)
    login(client, world.officer_bmt)
    assert "🔒" in client.get("/tin-bao/").content.decode()
    body = client.get(f"/tin-bao/{bmt_case.pk}/").content.decode()
    assert "Yêu cầu giữ bí mật" in body
    assert "Việc mở vụ việc này được ghi nhật ký" in body


def test_officer_records_a_citizens_secrecy_request(world, bmt_case, client):
    resp = login(client, world.officer_bmt).post(
        f"/bao-mat/vu-viec/{bmt_case.pk}/giu-bi-mat/", {"reason": "người dân đề nghị qua Zalo"}
    )
    assert resp.status_code == 302
    bmt_case.refresh_from_db()
    assert bmt_case.secrecy_requested and bmt_case.is_protected
    event = bmt_case.events.get(kind="protection")
    assert event.actor == world.officer_bmt and "người dân đề nghị qua Zalo" in event.text


def test_protection_is_never_taken_back_by_asking_again(world, bmt_case):
    services.case_protection_set(case=bmt_case, actor=world.officer_bmt, secrecy=True)
    services.case_protection_set(case=bmt_case, actor=world.officer_bmt, secrecy=True)
    assert bmt_case.events.filter(kind="protection").count() == 1


def test_opening_a_protected_case_is_recorded_once_per_ten_minutes(world, bmt_case, client):
    services.case_protection_set(case=bmt_case, actor=None, secrecy=True)
    login(client, world.officer_bmt)
    client.get(f"/tin-bao/{bmt_case.pk}/")
    client.get(f"/tin-bao/{bmt_case.pk}/")
    entries = AuditEntry.objects.filter(action=AuditAction.CASE_VIEW_SENSITIVE)
    assert entries.count() == 1
    assert entries.get().actor == world.officer_bmt
    assert entries.get().target_unit == world.bmt


def test_opening_an_ordinary_case_is_not_recorded(world, bmt_case, client):
    login(client, world.officer_bmt).get(f"/tin-bao/{bmt_case.pk}/")
    assert not AuditEntry.objects.filter(action=AuditAction.CASE_VIEW_SENSITIVE).exists()
