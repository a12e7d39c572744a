"""Urgent tips ring the on-duty officers; nobody answers → commander → province desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from binhyen.accounts.models import Role
from binhyen.cases import services as cases
from binhyen.cases.models import Case, CaseEvent
from binhyen.cases.services import CaseError
from binhyen.core.worker import run_periodic_once
from binhyen.duty import services
from binhyen.duty.models import Alert, EscalationRule, Level, Post
from binhyen.testing import PASSWORD


@pytest.fixture
def published(monkeypatch):
    """Every live event, as the live channel would carry it (after commit)."""
    sent: list[dict] = []

    def fake_publish(*, unit_path, kind, payload, roles=None):
        sent.append(
            {"unit_path": unit_path, "kind": kind, "payload": payload, "roles": set(roles or ())}
        )

    monkeypatch.setattr("binhyen.live.publish", fake_publish)
    return sent


def _tip(world, urgency: str) -> Case:
    case = cases.case_open(
        unit_id=world.bmt.pk,
        channel_account=world.bmt_page,
        conversation=None,
        contact=None,
        summary="thanh niên mang dao",
        at=timezone.now(),
    )
    cases.case_classify(
        case=case, actor=None, intent="tip", category="public_order", urgency=urgency
    )
    case.refresh_from_db()
    return case


def test_critical_tip_rings_the_unit_and_the_province_desk(world, published):
    case = _tip(world, "critical")
    alert = Alert.objects.get(case=case)
    assert alert.level == Level.UNIT
    [ring] = [p for p in published if p["kind"] == "alert"]
    assert ring["unit_path"] == world.bmt.path
    assert ring["roles"] >= {"officer", "duty"}
    assert ring["payload"]["code"] == case.code and ring["payload"]["urgency"] == "critical"
    event = CaseEvent.objects.get(case=case, kind="alert")
    assert world.officer_bmt.pk in event.data["users"]


def test_high_tip_rings_the_unit_only(world, published):
    _tip(world, "high")
    [ring] = [p for p in published if p["kind"] == "alert"]
    assert "duty" not in ring["roles"]


def test_normal_tip_does_not_ring(world, published):
    _tip(world, "normal")
    assert not Alert.objects.exists()
    assert not [p for p in published if p["kind"] == "alert"]


def test_on_duty_shift_decides_who_is_rung(world, published):
    now = timezone.now()
    services.shift_create(
        unit=world.bmt,
        user=world.commander_bmt,
        post=Post.OFFICER,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=7),
    )
    case = _tip(world, "critical")
    event = CaseEvent.objects.get(case=case, kind="alert")
    assert event.data["on_duty"] == [world.commander_bmt.pk]
    assert world.commander_bmt.pk in event.data["users"]


def test_nobody_acknowledges_escalates_to_commander_then_province(world, published):
    case = _tip(world, "critical")
    alert = Alert.objects.get(case=case)
    # Default rule for a critical tip: the commander after 2 minutes, the province after 5.
    assert alert.escalate_at == pytest.approx(
        case.opened_at + timedelta(minutes=2), abs=timedelta(seconds=2)
    )
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=1)) == 0
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=2, seconds=1)) == 1
    alert.refresh_from_db()
    assert alert.level == Level.COMMANDER
    assert alert.escalate_at == pytest.approx(
        case.opened_at + timedelta(minutes=5), abs=timedelta(seconds=2)
    )
    level1 = CaseEvent.objects.filter(case=case, kind="alert").last()
    assert level1.data["on_duty"] == [world.commander_bmt.pk]
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=4)) == 0
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=5, seconds=1)) == 1
    alert.refresh_from_db()
    assert alert.level == Level.PROVINCE and alert.escalate_at is None
    level2 = CaseEvent.objects.filter(case=case, kind="alert").last()
    assert level2.data["on_duty"] == [world.duty.pk]
    assert CaseEvent.objects.filter(case=case, kind="escalated").count() == 2
    assert services.alerts_escalate_due(case.opened_at + timedelta(hours=5)) == 0


def test_escalation_minutes_come_from_the_rule_set_in_the_admin(world, published, client):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.test", PASSWORD)
    client.force_login(root)
    rule = EscalationRule.objects.get(urgency="critical")
    resp = client.post(
        f"/quan-tri/duty/escalationrule/{rule.pk}/change/",
        {"urgency": "critical", "commander_after_minutes": 1, "province_after_minutes": 3},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    case = _tip(world, "critical")
    alert = Alert.objects.get(case=case)
    assert alert.escalate_at == pytest.approx(
        case.opened_at + timedelta(minutes=1), abs=timedelta(seconds=2)
    )
    services.alerts_escalate_due(case.opened_at + timedelta(minutes=1, seconds=1))
    alert.refresh_from_db()
    assert alert.escalate_at == pytest.approx(
        case.opened_at + timedelta(minutes=3), abs=timedelta(seconds=2)
    )


def test_high_tip_reaches_the_province_desk_after_thirty_minutes(world, published):
    case = _tip(world, "high")
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=15, seconds=1)) == 1
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=29)) == 0
    assert services.alerts_escalate_due(case.opened_at + timedelta(minutes=30, seconds=1)) == 1
    assert Alert.objects.get(case=case).level == Level.PROVINCE


def test_timeline_names_everyone_whose_screen_rang(world, published):
    """A critical tip rings the province duty desk at once: the record says so, by name."""
    case = _tip(world, "critical")
    event = CaseEvent.objects.get(case=case, kind="alert")
    assert world.duty.pk in event.data["users"] and world.officer_bmt.pk in event.data["users"]
    assert str(world.duty) in event.text and str(world.officer_bmt) in event.text
    assert event.at == case.opened_at or event.at >= case.opened_at  # when: the row's time
    # Another commune's officer's screen did not ring: not named.
    assert world.officer_tanan.pk not in event.data["users"]


def test_ringing_alerts_are_served_to_an_officer_who_signs_in_late(world, published, client):
    """The tip rang before anyone had the console open; three minutes later the commune
    officer signs in: the server still lists the alert for them, until acknowledged."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = _tip(world, "critical")
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        client.login(username=world.officer_bmt.username, password=PASSWORD)
        data = client.get("/truc-ban/canh-bao/dang-reo/").json()
    [item] = data["alerts"]
    assert item["kind"] == "alert" and item["payload"]["code"] == case.code
    assert item["payload"]["urgency"] == "critical" and item["payload"]["alert_id"]
    # Another commune's officer is not asked to act on it.
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    assert client.get("/truc-ban/canh-bao/dang-reo/").json() == {"alerts": []}
    # The province duty desk is (a critical tip rings it at once).
    client.login(username=world.duty.username, password=PASSWORD)
    assert len(client.get("/truc-ban/canh-bao/dang-reo/").json()["alerts"]) == 1
    # Escalated to the commander: the desk that rang at once keeps ringing, and so does the
    # commune officer; the commander joins.
    services.alerts_escalate_due(case.opened_at + timedelta(minutes=2, seconds=1))
    assert len(client.get("/truc-ban/canh-bao/dang-reo/").json()["alerts"]) == 1
    for who in (world.officer_bmt, world.commander_bmt):
        client.force_login(who)
        assert len(client.get("/truc-ban/canh-bao/dang-reo/").json()["alerts"]) == 1
    services.alert_acknowledge(alert=Alert.objects.get(case=case), actor=world.officer_bmt)
    assert client.get("/truc-ban/canh-bao/dang-reo/").json() == {"alerts": []}


def test_ringing_alerts_need_a_signed_in_user(client):
    resp = client.get("/truc-ban/canh-bao/dang-reo/")
    assert resp.status_code == 302


def test_escalation_runs_from_the_worker_with_time_moved_on(world, published, drain):

    case = _tip(world, "high")
    with time_machine.travel(case.opened_at + timedelta(minutes=31), tick=False):
        run_periodic_once()
    assert Alert.objects.get(case=case).level == Level.COMMANDER


def test_acknowledging_stops_the_ringing_everywhere(world, published):
    case = _tip(world, "critical")
    alert = Alert.objects.get(case=case)
    services.alert_acknowledge(alert=alert, actor=world.officer_bmt)
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.officer_bmt and alert.escalate_at is None
    assert any(p["kind"] == "alert.ack" for p in published)
    case.refresh_from_db()
    assert case.acknowledged_by == world.officer_bmt
    assert services.alerts_escalate_due(timezone.now() + timedelta(hours=1)) == 0


def test_any_officer_action_acknowledges_the_alert(world, published):
    case = _tip(world, "critical")
    cases.case_start_verification(case=case, actor=world.officer_bmt)
    assert Alert.objects.get(case=case).acknowledged_at is not None


def test_ack_button_works_from_a_banner(world, published, client):

    case = _tip(world, "critical")
    alert = Alert.objects.get(case=case)
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    resp = client.post(f"/truc-ban/canh-bao/{alert.pk}/da-nhan/", HTTP_ACCEPT="application/json")
    assert resp.json() == {"status": "ok", "case": case.code}
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.officer_bmt


def test_officer_of_another_commune_cannot_acknowledge(world, published, client):

    case = _tip(world, "critical")
    alert = Alert.objects.get(case=case)
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    assert client.post(f"/truc-ban/canh-bao/{alert.pk}/da-nhan/").status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_transfer_makes_the_new_unit_ring(world, published):
    case = _tip(world, "critical")
    cases.case_transfer(
        case=case, to_unit=world.tanan, actor=world.province_officer, reason="địa bàn Tân An"
    )
    active = Alert.objects.filter(case=case, acknowledged_at__isnull=True).get()
    assert active.level == Level.UNIT
    rings = [p for p in published if p["kind"] == "alert"]
    assert rings[-1]["unit_path"] == world.tanan.path


def test_breached_legal_deadline_raises_a_breach_alert(world, published):
    case = _tip(world, "normal")
    later = case.opened_at + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        n = services.breaches_alert(later)
    assert n >= 1
    breach = Alert.objects.get(case=case, reason=Alert.Reason.BREACH)
    assert breach.detail


def test_roster_page_lists_alerts_and_shifts(world, published, client):

    _tip(world, "critical")
    now = timezone.now()
    services.shift_create(
        unit=world.province,
        user=world.duty,
        post=Post.DUTY_DESK,
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=6),
    )
    client.login(username=world.duty.username, password=PASSWORD)
    body = client.get("/truc-ban/").content.decode()
    assert "thanh niên mang dao" in body and str(world.duty) in body
    assert ">Khẩn cấp</span>" in body and ">critical<" not in body  # labels, not codes


def test_shift_must_end_after_it_starts(world):

    now = timezone.now()
    with pytest.raises(CaseError):
        services.shift_create(
            unit=world.bmt, user=world.officer_bmt, post=Post.OFFICER, starts_at=now, ends_at=now
        )


def test_roles_fallback_when_nobody_is_on_shift(world):
    case = _tip(world, "normal")
    people = services.responders(case, Level.PROVINCE)
    assert people == [world.duty]
    assert world.duty.memberships.get().role == Role.DUTY


def test_duty_desk_warns_when_citizens_events_wait_too_long_or_failed(world, client):
    """A stuck worker must not go unnoticed: the duty desk says so (counts only)."""
    from binhyen.channels.models import InboundEvent

    def event(key: str, page, **fields):  # type: ignore[no-untyped-def]
        return InboundEvent.objects.create(
            provider="zalo",
            key=key,
            channel_account_id=page.pk,
            event_name="user_send_text",
            body='{"secret": "Nguyễn Văn Tố giáo"}',
            **fields,
        )

    client.login(username=world.duty.username, password=PASSWORD)
    fresh = event("fresh", world.bmt_page)
    body = client.get("/truc-ban/").content.decode()
    assert 'id="inbound-backlog"' not in body  # a few seconds of wait is normal

    fresh.received_at = timezone.now() - timedelta(seconds=90)
    fresh.save(update_fields=["received_at"])
    body = client.get("/truc-ban/").content.decode()
    assert 'id="inbound-backlog"' in body
    assert "1 tin nhắn chưa được xử lý; tin cũ nhất nhận 1 phút trước" in body
    assert "Nguyễn Văn Tố" not in body

    fresh.status = InboundEvent.Status.PROCESSED
    fresh.save(update_fields=["status"])
    event("broken", world.tanan_page, status=InboundEvent.Status.FAILED)
    body = client.get("/truc-ban/").content.decode()
    assert "1 tin nhắn xử lý lỗi nhiều lần và đã dừng" in body

    # An officer of another unit does not see the pages of Tân An.
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    assert 'id="inbound-backlog"' not in client.get("/truc-ban/").content.decode()
