"""Erasing a person's identity (their request, or Zalo's user_withdraw) keeps case history."""

from __future__ import annotations

from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.cases.models import Case, Contact, Message
from binhyen.testing import post_zalo, secret_of, zalo_event
from binhyen.vault.tests.conftest import grant, login, zalo_case


def _erase(client, case, reason="Người dân gửi đơn yêu cầu xóa dữ liệu cá nhân ngày 01/03"):
    return client.post(f"/bao-mat/vu-viec/{case.pk}/xoa-danh-tinh/", {"reason": reason})


def test_administrator_erases_the_identity_and_the_case_history_stays(world, bmt_case, client):
    grant(world.commander_bmt, "erase_identity")
    messages_before = list(Message.objects.filter(case=bmt_case).values_list("text", flat=True))
    resp = _erase(login(client, world.commander_bmt), bmt_case)
    assert resp.status_code == 302
    bmt_case.refresh_from_db()
    identity = bmt_case.contact.identity
    assert identity.data is None and identity.erased_at is not None
    assert list(Message.objects.filter(case=bmt_case).values_list("text", flat=True)) == (
        messages_before
    )
    assert bmt_case.contact.pseudonym.startswith("Người báo tin #")
    event = bmt_case.events.get(kind="identity_erased")
    assert event.actor == world.commander_bmt
    entry = AuditEntry.objects.get(action=AuditAction.IDENTITY_ERASE)
    assert entry.actor == world.commander_bmt
    assert entry.details["source"] == "admin_request"
    assert entry.target_unit == world.bmt


def test_erasure_needs_the_erase_permission(world, bmt_case, client):
    _erase(login(client, world.commander_bmt), bmt_case)
    bmt_case.contact.identity.refresh_from_db()
    assert bmt_case.contact.identity.data is not None
    assert not AuditEntry.objects.filter(action=AuditAction.IDENTITY_ERASE).exists()


def test_erased_zalo_person_is_no_longer_linked_to_the_old_contact(world, client):
    case = zalo_case(world.bmt_page, user_id="5566778899001122334", name="Hà Văn Xóa")
    grant(world.commander_bmt, "erase_identity")
    _erase(login(client, world.commander_bmt), case)
    zalo_case(world.bmt_page, user_id="5566778899001122334", text="Tôi nhắn lại")
    assert Contact.objects.filter(channel_account=world.bmt_page).count() == 2
    assert Case.objects.get(pk=case.pk).contact.identity.data is None


def test_zalo_user_withdraw_erases_the_identity_and_is_recorded(world, client, drain):
    user_id = "6677889900112233445"
    post_zalo(
        client,
        zalo_event("user_send_text", page=world.bmt_page, user_id=user_id),
        secret=secret_of(world.bmt_page),
    )
    drain()
    case = Case.objects.get()
    assert case.contact.identity.data["zalo_user_id"] == user_id
    post_zalo(
        client,
        zalo_event("user_withdraw", page=world.bmt_page, user_id=user_id),
        secret=secret_of(world.bmt_page),
    )
    drain()
    case.contact.identity.refresh_from_db()
    assert case.contact.identity.data is None
    assert case.events.filter(kind="identity_erased").exists()
    entry = AuditEntry.objects.get(action=AuditAction.IDENTITY_ERASE)
    assert entry.actor is None and entry.details["source"] == "citizen_withdraw"
    assert entry.target_unit == world.bmt
    assert user_id not in str(entry.details) + entry.summary


def test_erasing_twice_is_refused_politely(world, bmt_case, client):
    grant(world.commander_bmt, "erase_identity")
    login(client, world.commander_bmt)
    _erase(client, bmt_case)
    resp = _erase(client, bmt_case)
    assert "Danh tính này đã được xóa." in client.get(resp["Location"]).content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.IDENTITY_ERASE).count() == 1
