"""Finding 3: the admin (/quan-tri/) no longer bypasses the services, and a unit
administrator manages only the staff and pages of their own subtree."""

from __future__ import annotations

import pytest
from django.utils import timezone

from binhyen.accounts.models import Membership, Role, User
from binhyen.accounts.services import staff_upsert
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.cases.models import Case
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.testing import PASSWORD


def _case(page, text: str) -> Case:
    message_receive(
        incoming=IncomingMessage(
            channel_account=page,
            contact_key=f"user:{text}",
            contact_kind="zalo_user",
            provider_message_id=f"m-{text}",
            kind="text",
            text=text,
            sent_at=timezone.now(),
            identity={"zalo_user_id": text},
        )
    )
    return Case.objects.filter(channel_account=page).latest("opened_at")


@pytest.fixture
def superuser(world) -> User:
    user = staff_upsert(username="root", password=PASSWORD, full_name="Root", is_superuser=True)
    return user


@pytest.fixture
def bmt_admin(world) -> User:
    user = staff_upsert(
        username="admin.bmt",
        password=PASSWORD,
        full_name="Admin BMT",
        memberships=[(world.bmt, Role.ADMIN)],
    )
    User.objects.filter(pk=user.pk).update(is_staff=True)
    return user


def _login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def test_admin_cannot_move_close_or_rewrite_a_case(world, superuser, client):
    case = _case(world.bmt_page, "tin gốc")
    _login(client, superuser)
    resp = client.post(
        f"/quan-tri/cases/case/{case.pk}/change/",
        {
            "unit": world.tanan.pk,
            "intent": case.intent,
            "status": "closed",
            "summary": "viết lại",
        },
    )
    assert resp.status_code == 403
    case.refresh_from_db()
    assert (case.unit_id, case.status, case.summary) == (world.bmt.pk, "received", "tin gốc")
    assert client.get("/quan-tri/cases/case/add/").status_code == 403
    assert (
        client.post(f"/quan-tri/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Case.objects.filter(pk=case.pk).exists()


def test_admin_shows_a_case_read_only_and_records_a_protected_read(world, superuser, client):
    from binhyen.vault.services import case_protection_set

    case = _case(world.bmt_page, "bí mật")
    case_protection_set(case=case, actor=None, secrecy=True)
    _login(client, superuser)
    page = client.get(f"/quan-tri/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert b'name="summary"' not in page.content  # shown, not an input
    assert AuditEntry.objects.filter(
        action=AuditAction.CASE_VIEW_SENSITIVE, target_id=str(case.pk)
    ).exists()


def test_unit_administrator_sees_only_staff_of_their_subtree(world, bmt_admin, client):
    _login(client, bmt_admin)
    listing = client.get("/quan-tri/accounts/user/")
    assert listing.status_code == 200
    names = {u.username for u in listing.context["cl"].result_list}
    assert names == {"admin.bmt", "officer.bmt", "commander.bmt"}


def test_another_units_staff_member_is_404_and_recorded_in_the_admin(world, bmt_admin, client):
    _login(client, bmt_admin)
    resp = client.get(f"/quan-tri/accounts/user/{world.officer_tanan.pk}/change/")
    assert resp.status_code == 404
    entry = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED)
    assert entry.actor_id == bmt_admin.pk
    assert entry.details == {"verb": "read", "channel": "admin", "reason": "outside_scope"}
    pw = client.get(f"/quan-tri/accounts/user/{world.officer_tanan.pk}/password/")
    assert pw.status_code == 404


def _user_form(user: User, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "full_name": user.full_name,
        "rank": user.rank,
        "is_active": "on",
        "is_staff": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-unit": "",
        "memberships-0-role": "",
    }
    data.update(extra)
    return data


def test_unit_administrator_cannot_grant_a_role_outside_their_subtree(world, bmt_admin, client):
    _login(client, bmt_admin)
    officer = world.officer_bmt
    resp = client.post(
        f"/quan-tri/accounts/user/{officer.pk}/change/",
        _user_form(
            officer,
            **{
                "memberships-0-unit": world.tanan.pk,
                "memberships-0-role": Role.OFFICER,
                "memberships-0-user": officer.pk,
            },
        ),
    )
    assert resp.status_code == 200  # the form again, with an error
    assert not Membership.objects.filter(user=officer, unit=world.tanan).exists()
    # Inside the subtree it works.
    resp = client.post(
        f"/quan-tri/accounts/user/{officer.pk}/change/",
        _user_form(
            officer,
            **{
                "memberships-0-unit": world.bmt.pk,
                "memberships-0-role": Role.CAMERA,
                "memberships-0-user": officer.pk,
            },
        ),
    )
    assert resp.status_code == 302, resp.content[:2000]
    assert Membership.objects.filter(user=officer, unit=world.bmt, role=Role.CAMERA).exists()


def test_unit_administrator_cannot_make_anyone_superuser(world, bmt_admin, client):
    _login(client, bmt_admin)
    officer = world.officer_bmt
    client.post(
        f"/quan-tri/accounts/user/{officer.pk}/change/",
        _user_form(officer, is_superuser="on"),
    )
    officer.refresh_from_db()
    assert not officer.is_superuser


def test_case_admin_is_scoped_by_unit_subtree(world, client):
    bmt_case = _case(world.bmt_page, "ở BMT")
    tanan_case = _case(world.tanan_page, "ở Tân An")
    User.objects.filter(pk=world.commander_bmt.pk).update(is_staff=True)
    _login(client, world.commander_bmt)
    listing = client.get("/quan-tri/cases/case/")
    assert [c.pk for c in listing.context["cl"].result_list] == [bmt_case.pk]
    assert client.get(f"/quan-tri/cases/case/{tanan_case.pk}/change/").status_code == 404


def test_unit_administrator_reads_no_cases_in_the_admin(world, bmt_admin, client):
    _case(world.bmt_page, "ở BMT")
    _login(client, bmt_admin)
    assert client.get("/quan-tri/cases/case/").status_code == 403
