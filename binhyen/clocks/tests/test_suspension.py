"""Suspension (tạm đình chỉ, CPC Art 148) and resumption (phục hồi, CPC Art 149)."""

from __future__ import annotations

from datetime import timedelta

from binhyen.clocks.models import CaseClock, ClockRule
from binhyen.clocks.services import (
    clock_extend,
    clock_meet,
    clock_start,
    clocks_due_breaches,
    clocks_pause,
    clocks_resume,
)
from binhyen.clocks.tests.factories import T0, clock_of, midnight_after, open_case
from binhyen.testing import World

SUSPENDED = midnight_after("2026-04-30") + timedelta(hours=15)  # Fri 1/5/2026 15:00
RESUMED = midnight_after("2026-06-14") + timedelta(hours=14)  # Mon 15/6/2026 14:00


def _extended_case(world: World):  # type: ignore[no-untyped-def]
    case = open_case(world)
    clock_start(case=case, rule_code="resolve", at=T0)
    clock_extend(case=case, rule_code="resolve", extension_rule_code="resolve_extended", at=T0)
    return case


def test_suspension_pauses_the_resolution_clock(world: World) -> None:
    case = _extended_case(world)
    paused = clocks_pause(case=case, at=SUSPENDED, reason="chờ kết luận giám định")
    assert [c.family for c in paused] == ["resolve"]
    clock = clock_of(case, "resolve")
    assert clock.state == CaseClock.State.PAUSED and clock.paused_at == SUSPENDED


def test_suspension_starts_the_notice_and_the_monthly_review(world: World) -> None:
    case = _extended_case(world)
    clocks_pause(case=case, at=SUSPENDED)
    notice = clock_of(case, "suspension_notice")
    assert notice.due_at == SUSPENDED + timedelta(hours=24)
    assert clock_of(case, "suspension_review").due_at == midnight_after("2026-06-01")  # 1/6 Mon


def test_a_paused_clock_is_never_breached(world: World) -> None:
    case = _extended_case(world)
    clocks_pause(case=case, at=SUSPENDED)
    breached = clocks_due_breaches(SUSPENDED + timedelta(days=300))
    assert clock_of(case, "resolve").pk not in {c.pk for c in breached}


def test_operational_clocks_keep_running_while_suspended(world: World) -> None:
    case = _extended_case(world)
    clock_start(case=case, rule_code="first_ack_normal", at=SUSPENDED)
    clocks_pause(case=case, at=SUSPENDED)
    assert clock_of(case, "first_ack").state == CaseClock.State.RUNNING


def test_resumption_gives_one_month_from_the_resumption_decision(world: World) -> None:
    case = _extended_case(world)
    clocks_pause(case=case, at=SUSPENDED)
    resumed = clocks_resume(case=case, at=RESUMED, reason="đã có kết luận giám định")
    clock = clock_of(case, "resolve")
    assert [c.pk for c in resumed] == [clock.pk]
    assert clock.rule_code == "resolve_resumed" and clock.started_at == RESUMED
    assert clock.due_at == midnight_after("2026-07-15")
    assert "Điều 149" in clock.citation_vi


def test_the_period_before_suspension_is_kept_as_history(world: World) -> None:
    case = _extended_case(world)
    before = clock_of(case, "resolve")
    clocks_pause(case=case, at=SUSPENDED)
    clocks_resume(case=case, at=RESUMED)
    before.refresh_from_db()
    assert before.state == CaseClock.State.CANCELLED
    assert before.paused_total == RESUMED - SUSPENDED
    assert before.due_at == midnight_after("2026-05-04")  # 2/5 Sat → Mon 4/5


def test_resumption_stops_the_review_and_starts_the_resumption_notice(world: World) -> None:
    case = _extended_case(world)
    clocks_pause(case=case, at=SUSPENDED)
    clocks_resume(case=case, at=RESUMED)
    assert not CaseClock.objects.filter(
        case=case, family="suspension_review", state__in=CaseClock.OPEN_STATES
    ).exists()
    assert clock_of(case, "resumption_notice").due_at == midnight_after("2026-06-18")


def test_the_monthly_review_starts_its_next_period_when_done(world: World) -> None:
    case = _extended_case(world)
    clocks_pause(case=case, at=SUSPENDED)
    reviewed = SUSPENDED + timedelta(days=20)  # Thu 21/5/2026
    clock_meet(case=case, rule_code="suspension_review", at=reviewed)
    nxt = clock_of(case, "suspension_review")
    assert nxt.started_at == reviewed and nxt.due_at == midnight_after("2026-06-22")  # 21/6 Sun


def test_a_clock_configured_to_pause_resumes_with_the_time_paused_added(world: World) -> None:
    ClockRule.objects.filter(code="commune_check").update(pausable=True)
    case = open_case(world)
    clock_start(case=case, rule_code="commune_check", at=T0)
    due = clock_of(case, "commune_check").due_at
    paused_at = T0 + timedelta(days=2)
    clocks_pause(case=case, at=paused_at)
    clocks_resume(case=case, at=paused_at + timedelta(days=3, hours=6))
    clock = clock_of(case, "commune_check")
    assert clock.state == CaseClock.State.RUNNING
    assert clock.due_at == due + timedelta(days=3, hours=6)
    assert clock.paused_total == timedelta(days=3, hours=6)


def test_suspension_does_not_pause_a_receipt_notice(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="receipt_notice", at=T0)
    clocks_pause(case=case, at=T0 + timedelta(hours=1))
    assert clock_of(case, "receipt_notice").state == CaseClock.State.RUNNING


def test_suspending_twice_changes_nothing(world: World) -> None:
    case = _extended_case(world)
    clocks_pause(case=case, at=SUSPENDED)
    assert clocks_pause(case=case, at=SUSPENDED + timedelta(days=1)) == []
    assert clock_of(case, "resolve").paused_at == SUSPENDED
