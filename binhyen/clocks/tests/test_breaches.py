"""Which clocks have been breached: marked once, safely from several workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from binhyen.cases.models import CaseEvent
from binhyen.clocks.models import CaseClock
from binhyen.clocks.services import (
    clock_meet,
    clock_start,
    clocks_due_breaches,
    clocks_overdue,
)
from binhyen.clocks.tests.factories import T0, open_case
from binhyen.testing import World


def test_a_clock_past_its_deadline_is_marked_breached(world: World) -> None:
    case = open_case(world)
    clock = clock_start(case=case, rule_code="first_ack_critical", at=T0)
    assert clock is not None
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        breached = clocks_due_breaches()
    assert clock.pk in {c.pk for c in breached}
    clock.refresh_from_db()
    assert clock.state == CaseClock.State.BREACHED
    assert clock.breached_at == T0 + timedelta(minutes=6)
    assert CaseEvent.objects.filter(case=case, kind="clock_breached").count() == 1


def test_a_clock_still_in_time_is_not_breached(world: World) -> None:
    case = open_case(world)
    clock = clock_start(case=case, rule_code="first_ack_critical", at=T0)
    assert clock is not None
    assert clock.pk not in {c.pk for c in clocks_due_breaches(T0 + timedelta(minutes=4))}


def test_a_breach_is_reported_only_once(world: World) -> None:
    case = open_case(world)
    clock = clock_start(case=case, rule_code="first_ack_high", at=T0)
    assert clock is not None
    later = T0 + timedelta(hours=1)
    assert clock.pk in {c.pk for c in clocks_due_breaches(later)}
    assert clock.pk not in {c.pk for c in clocks_due_breaches(later + timedelta(minutes=1))}


def test_a_met_clock_is_never_breached(world: World) -> None:
    case = open_case(world)
    clock = clock_start(case=case, rule_code="first_ack_high", at=T0)
    assert clock is not None
    clock_meet(case=case, rule_code="first_ack_high", at=T0 + timedelta(minutes=3))
    assert clock.pk not in {c.pk for c in clocks_due_breaches(T0 + timedelta(days=1))}


def test_overdue_lists_open_clocks_past_their_deadline_with_their_case(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_critical", at=T0)
    clock_start(case=case, rule_code="classify", at=T0)
    overdue = list(clocks_overdue(T0 + timedelta(hours=1)).filter(case=case))
    assert [(c.rule_code, c.case.code) for c in overdue] == [("first_ack_critical", case.code)]


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_report_each_breach_exactly_once(world: World) -> None:
    case = open_case(world)
    ids = set()
    for code in ("first_ack_critical", "classify", "transfer", "suspension_notice"):
        clock = clock_start(case=case, rule_code=code, at=T0)
        assert clock is not None
        ids.add(clock.pk)
    results: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def sweep(slot: int) -> None:
        try:
            barrier.wait()
            results[slot] = [c.pk for c in clocks_due_breaches(T0 + timedelta(days=2))]
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = (set(r) & ids for r in results)
    assert first | second == ids
    assert not first & second
