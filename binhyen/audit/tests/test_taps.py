"""Sign-ins and permission changes are recorded wherever they happen."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse

from binhyen.accounts.models import Membership, Role
from binhyen.audit.middleware import AuditContextMiddleware
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.audit.services import audit_context
from binhyen.testing import PASSWORD


def _everything_stored() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)


def test_login_is_recorded_with_staff_ip_and_unit(world, client):
    client.post(
        "/dang-nhap/", {"username": "officer.bmt", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    entry = AuditEntry.objects.get(action=AuditAction.AUTH_LOGIN)
    assert entry.actor == world.officer_bmt
    assert entry.actor_unit_path == world.bmt.path
    assert entry.ip_address == "10.0.0.7"


def test_failed_login_is_recorded_without_the_password(world, client):
    client.post("/dang-nhap/", {"username": "officer.bmt", "password": "sai-mat-khau-9"})
    entry = AuditEntry.objects.get(action=AuditAction.AUTH_LOGIN_FAILED)
    assert entry.actor is None
    assert entry.target_id == str(world.officer_bmt.pk)
    assert entry.target_unit_path == world.bmt.path
    assert entry.details["username"] == "officer.bmt"
    assert "sai-mat-khau-9" not in _everything_stored()


def test_failed_login_with_unknown_name_keeps_only_a_fingerprint(world, client):
    client.post("/dang-nhap/", {"username": "matkhau-go-nham-o", "password": "x"})
    entry = AuditEntry.objects.get(action=AuditAction.AUTH_LOGIN_FAILED)
    assert entry.details["username_known"] is False
    assert "matkhau-go-nham-o" not in _everything_stored()


def test_logout_is_recorded(world, client):
    client.force_login(world.officer_bmt)
    client.post("/dang-xuat/")
    entry = AuditEntry.objects.get(action=AuditAction.AUTH_LOGOUT)
    assert entry.actor == world.officer_bmt


def test_sign_in_does_not_record_a_permission_change(world, client):
    before = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).count()
    client.post("/dang-nhap/", {"username": "officer.bmt", "password": PASSWORD})
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).count() == before


def test_membership_added_is_recorded_with_actor_and_unit(world):
    with audit_context(actor=world.commander_bmt):
        Membership.objects.create(user=world.officer_bmt, unit=world.bmt, role=Role.EDITOR)
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).latest("seq")
    assert entry.details["change"] == "membership_added"
    assert entry.details["role"] == "editor"
    assert entry.actor == world.commander_bmt
    assert entry.target_id == str(world.officer_bmt.pk)
    assert entry.target_unit_path == world.bmt.path


def test_membership_removed_is_recorded(world):
    Membership.objects.get(user=world.officer_tanan).delete()
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).latest("seq")
    assert entry.details["change"] == "membership_removed"
    assert entry.details["role"] == "officer"
    assert entry.target_unit_path == world.tanan.path


def test_role_change_keeps_the_role_before(world):
    m = Membership.objects.get(user=world.officer_tanan)
    m.role = Role.COMMANDER
    m.save()
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).latest("seq")
    assert entry.details["change"] == "membership_changed"
    assert entry.details["before"]["role"] == "officer"
    assert entry.details["role"] == "commander"


def test_superuser_flag_change_is_recorded(world):
    world.officer_tanan.is_superuser = True
    world.officer_tanan.save()
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).latest("seq")
    assert entry.details["change"] == "account_flags"
    assert entry.details["is_superuser"] == [False, True]
    assert entry.target_unit_path == world.tanan.path


@pytest.mark.django_db
def test_middleware_attributes_tapped_changes_to_the_signed_in_user(world, rf):
    def view(request):
        Membership.objects.create(user=world.officer_bmt, unit=world.bmt, role=Role.CAMERA)
        return HttpResponse("ok")

    request = rf.post("/quan-tri/", REMOTE_ADDR="10.9.8.7")
    request.user = world.commander_bmt
    AuditContextMiddleware(view)(request)
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_CHANGE).latest("seq")
    assert entry.actor == world.commander_bmt
    assert entry.ip_address == "10.9.8.7"
