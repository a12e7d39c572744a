"""/nhat-ky/: commanders browse their subtree's audit trail; officers may not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from binhyen.accounts.models import User
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.audit.services import audit_record


@pytest.fixture
def trail(world):
    audit_record(
        action=AuditAction.IDENTITY_REVEAL,
        actor=world.officer_bmt,
        target_unit=world.bmt,
        summary="TRAIL-BMT xem danh tính",
    )
    audit_record(
        action=AuditAction.CASE_EXPORT,
        actor=world.officer_tanan,
        summary="TRAIL-TANAN xuất dữ liệu",
    )
    audit_record(
        action=AuditAction.CASE_TRANSFER,
        actor=world.province_officer,
        target_unit=world.tanan,
        summary="TRAIL-PROVINCE chuyển về Tân An",
    )
    audit_record(
        action=AuditAction.CASE_TRANSFER,
        actor=world.province_officer,
        target_unit=world.bmt,
        summary="TRAIL-INTO-BMT chuyển về Buôn Ma Thuột",
    )
    return world


def test_commander_sees_own_subtree_only(trail, client):
    client.force_login(trail.commander_bmt)
    resp = client.get("/nhat-ky/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "TRAIL-BMT" in body
    assert "TRAIL-INTO-BMT" in body  # the target unit is theirs
    assert "TRAIL-TANAN" not in body
    assert "TRAIL-PROVINCE" not in body


def test_officer_gets_403(trail, client):
    client.force_login(trail.officer_bmt)
    resp = client.get("/nhat-ky/")
    assert resp.status_code == 403
    assert "TRAIL-BMT" not in resp.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    resp = client.get("/nhat-ky/")
    assert resp.status_code == 302
    assert "/dang-nhap/" in resp["Location"]


def test_superuser_sees_every_unit(trail, client):
    admin = User.objects.create_superuser("quantri", password="x-pass-123456")
    client.force_login(admin)
    body = client.get("/nhat-ky/").content.decode()
    for mark in ("TRAIL-BMT", "TRAIL-TANAN", "TRAIL-PROVINCE"):
        assert mark in body


def test_action_filter_narrows_the_list(trail, client):
    client.force_login(trail.commander_bmt)
    body = client.get("/nhat-ky/", {"action": "case.transfer"}).content.decode()
    assert "TRAIL-INTO-BMT" in body
    assert "TRAIL-BMT xem" not in body


def test_date_filter_uses_vietnamese_days(trail, client):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)):  # 06:30 on 2 Mar
        audit_record(
            action=AuditAction.CASE_EXPORT, actor=trail.commander_bmt, summary="TRAIL-MARCH-2"
        )
    client.force_login(trail.commander_bmt)
    on_day = client.get("/nhat-ky/", {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    day_before = client.get("/nhat-ky/", {"date_from": "2026-03-01", "date_to": "2026-03-01"})
    assert "TRAIL-MARCH-2" in on_day.content.decode()
    assert "TRAIL-BMT" not in on_day.content.decode()
    assert "TRAIL-MARCH-2" not in day_before.content.decode()
    # The date pickers keep the chosen day (an <input type=date> only accepts ISO values).
    assert 'value="2026-03-02"' in on_day.content.decode()


def test_bad_filter_input_is_shown_not_a_500(trail, client):
    client.force_login(trail.commander_bmt)
    resp = client.get("/nhat-ky/", {"date_from": "hôm qua", "unit": "24163", "page": "x"})
    assert resp.status_code == 200
    assert "TRAIL-TANAN" not in resp.content.decode()


def test_unit_filter_cannot_widen_scope(trail, client):
    client.force_login(trail.commander_bmt)
    body = client.get("/nhat-ky/", {"unit": "24163"}).content.decode()
    assert "TRAIL-TANAN" not in body


def test_list_query_count_does_not_grow_with_entries(trail, client, django_assert_max_num_queries):
    client.force_login(trail.commander_bmt)
    client.get("/nhat-ky/")
    # + one query per kind of target and one for unit names (details in words), + the
    # administrator check for the technical view: a constant, not one per entry.
    with django_assert_max_num_queries(13) as few:
        client.get("/nhat-ky/")
    for i in range(60):
        audit_record(
            action=AuditAction.CASE_VIEW_SENSITIVE,
            actor=trail.officer_bmt,
            unit=trail.bmt,
            target_unit=trail.bmt,
            summary=f"xem {i}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get("/nhat-ky/", {"page": "2"})
    assert resp.status_code == 200


def test_admin_offers_no_add_change_or_delete(trail, client):
    admin = User.objects.create_superuser("quantri", password="x-pass-123456")
    client.force_login(admin)
    entry = AuditEntry.objects.latest("seq")
    assert client.get("/quan-tri/audit/auditentry/").status_code == 200
    assert client.get("/quan-tri/audit/auditentry/add/").status_code == 403
    assert (
        client.post(f"/quan-tri/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    client.post(f"/quan-tri/audit/auditentry/{entry.pk}/change/", {"summary": "sửa"})
    assert AuditEntry.objects.get(pk=entry.pk).summary == entry.summary


def test_details_read_as_words_with_the_technical_view_for_administrators(world, client):
    """`from: 66 to: 24133 automatic: True`, `cases.case #4`, `role: officer` read as words;
    the raw record is one click away, for administrators only."""
    from django.utils import timezone

    from binhyen.cases import services as cases

    case = cases.case_open(
        unit_id=world.province.pk,
        channel_account=world.province_page,
        conversation=None,
        contact=None,
        summary="WORDS-CASE",
        at=timezone.now(),
    )
    audit_record(
        action=AuditAction.CASE_TRANSFER,
        actor=world.province_officer,
        target=case,
        target_unit=world.bmt,
        summary="WORDS-TRANSFER",
        details={"from": world.province.code, "to": world.bmt.code, "automatic": True},
    )
    audit_record(
        action=AuditAction.PERMISSION_CHANGE,
        actor=world.province_officer,
        target=world.officer_bmt,
        target_unit=world.bmt,
        summary="WORDS-ROLE",
        details={"change": "membership_added", "role": "officer", "membership_id": 7},
    )
    client.force_login(world.commander_bmt)
    body = client.get("/nhat-ky/").content.decode()
    assert "WORDS-TRANSFER" in body and "WORDS-ROLE" in body
    assert f"<b>Từ</b>: {world.province.name}" in body
    assert f"<b>Đến</b>: {world.bmt.name}" in body
    assert "<b>Tự động</b>: có" in body
    assert "<b>Vai trò</b>: Cán bộ tiếp nhận" in body
    assert f"Vụ việc {case.code}" in body or f"Tin báo {case.code}" in body
    for developer_text in ("cases.case", "automatic", "role: officer", "membership_id"):
        assert developer_text not in body
    assert "Chi tiết kỹ thuật" not in body
    admin = User.objects.create_superuser("quantri", password="x-pass-123456")
    client.force_login(admin)
    body = client.get("/nhat-ky/").content.decode()
    assert "Chi tiết kỹ thuật" in body and f"cases.case #{case.pk}" in body
