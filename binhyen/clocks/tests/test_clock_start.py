from __future__ import annotations

from datetime import timedelta

import pytest

from binhyen.cases.models import CaseEvent
from binhyen.clocks.models import CaseClock
from binhyen.clocks.services import ClockError, clock_start
from binhyen.clocks.tests.factories import T0, clock_of, midnight_after, open_case
from binhyen.testing import World


def test_starting_a_clock_stores_its_deadline_rule_and_citation(world: World) -> None:
    case = open_case(world)
    clock = clock_start(case=case, rule_code="resolve", at=T0)
    assert clock is not None
    clock.refresh_from_db()
    assert clock.state == CaseClock.State.RUNNING
    assert clock.due_at == midnight_after("2026-03-23")  # day 20 is Sunday 22/3
    assert clock.rule_code == "resolve" and clock.family == "resolve" and clock.kind == "legal"
    assert (clock.amount, clock.unit) == (20, "days")
    assert "Điều 147" in clock.citation_vi and "Art 147(1)" in clock.citation_en


def test_starting_a_clock_writes_the_case_timeline(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="classify", at=T0)
    event = CaseEvent.objects.filter(case=case, kind="clock_started").get()
    assert event.data["rule"] == "classify"
    assert "Điều 8" in event.text


def test_starting_the_same_clock_twice_returns_the_running_one(world: World) -> None:
    case = open_case(world)
    first = clock_start(case=case, rule_code="first_ack_normal", at=T0)
    again = clock_start(case=case, rule_code="first_ack_normal", at=T0 + timedelta(hours=1))
    assert first is not None and again is not None
    assert again.pk == first.pk and again.due_at == T0 + timedelta(hours=24)


def test_a_raised_urgency_replaces_the_acknowledgement_target(world: World) -> None:
    case = open_case(world)
    normal = clock_start(case=case, rule_code="first_ack_normal", at=T0)
    critical = clock_start(case=case, rule_code="first_ack_critical", at=T0, replace=True)
    assert normal is not None and critical is not None
    normal.refresh_from_db()
    assert normal.state == CaseClock.State.CANCELLED
    assert clock_of(case, "first_ack").pk == critical.pk
    assert critical.due_at == T0 + timedelta(minutes=5)


def test_without_replace_another_rule_of_the_family_keeps_the_open_clock(world: World) -> None:
    case = open_case(world)
    normal = clock_start(case=case, rule_code="first_ack_normal", at=T0)
    same = clock_start(case=case, rule_code="first_ack_high", at=T0)
    assert normal is not None and same is not None and same.pk == normal.pk


def test_no_receipt_notice_clock_for_an_anonymous_tipster(world: World) -> None:
    case = open_case(world)
    assert clock_start(case=case, rule_code="receipt_notice", at=T0, anonymous=True) is None
    assert not CaseClock.objects.filter(case=case, family="receipt_notice").exists()


def test_receipt_notice_counts_working_days(world: World) -> None:
    case = open_case(world)
    clock = clock_start(case=case, rule_code="receipt_notice", at=T0)
    assert clock is not None and clock.due_at == midnight_after("2026-03-05")


def test_an_extension_cannot_be_started_as_a_clock(world: World) -> None:
    case = open_case(world)
    with pytest.raises(ClockError):
        clock_start(case=case, rule_code="resolve_extended", at=T0)


def test_an_unknown_rule_is_refused(world: World) -> None:
    case = open_case(world)
    with pytest.raises(ClockError):
        clock_start(case=case, rule_code="no_such_rule", at=T0)
