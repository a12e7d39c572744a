from __future__ import annotations

from datetime import timedelta

from binhyen.cases.models import CaseEvent
from binhyen.clocks.models import CaseClock
from binhyen.clocks.services import (
    clock_cancel,
    clock_meet,
    clock_start,
    clocks_cancel_open,
)
from binhyen.clocks.tests.factories import T0, open_case
from binhyen.testing import World


def test_meeting_a_clock_in_time_records_when(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_high", at=T0)
    met = clock_meet(case=case, rule_code="first_ack_high", at=T0 + timedelta(minutes=12))
    assert met is not None
    assert met.state == CaseClock.State.MET and not met.met_late
    assert met.met_at == T0 + timedelta(minutes=12)


def test_meeting_a_clock_late_is_recorded_as_late(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_critical", at=T0)
    met = clock_meet(case=case, rule_code="first_ack_critical", at=T0 + timedelta(minutes=9))
    assert met is not None and met.met_late
    assert CaseEvent.objects.get(case=case, kind="clock_met").data["late"] is True


def test_any_rule_of_the_family_meets_its_open_clock(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_critical", at=T0)
    met = clock_meet(case=case, rule_code="first_ack_normal", at=T0 + timedelta(minutes=1))
    assert met is not None and met.rule_code == "first_ack_critical"


def test_meeting_a_clock_that_is_not_running_does_nothing(world: World) -> None:
    case = open_case(world)
    assert clock_meet(case=case, rule_code="classify", at=T0) is None
    clock_start(case=case, rule_code="classify", at=T0)
    assert clock_meet(case=case, rule_code="classify", at=T0 + timedelta(hours=1)) is not None
    assert clock_meet(case=case, rule_code="classify", at=T0 + timedelta(hours=2)) is None


def test_cancelling_a_clock_stops_it(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="transfer", at=T0)
    cancelled = clock_cancel(case=case, rule_code="transfer", at=T0, reason="thuộc thẩm quyền")
    assert cancelled is not None and cancelled.state == CaseClock.State.CANCELLED
    assert cancelled.note == "thuộc thẩm quyền"


def test_closing_a_case_can_stop_only_its_operational_clocks(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_normal", at=T0)
    clock_start(case=case, rule_code="resolve", at=T0)
    stopped = clocks_cancel_open(case=case, at=T0, kinds=["operational"])
    assert [c.family for c in stopped] == ["first_ack"]
    assert CaseClock.objects.get(case=case, family="resolve").state == CaseClock.State.RUNNING
