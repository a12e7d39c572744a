from __future__ import annotations

from datetime import timedelta

import pytest

from binhyen.clocks.models import CaseClock
from binhyen.clocks.services import (
    ClockError,
    clock_extend,
    clock_start,
    clocks_due_breaches,
)
from binhyen.clocks.tests.factories import clock_of, midnight_after, open_case
from binhyen.lib.clocks import VN_TZ
from binhyen.testing import World

RECEIVED = midnight_after("2026-01-09") + timedelta(hours=10)  # Saturday 10/1/2026, 10:00


def test_resolution_extends_from_20_days_to_2_months_then_the_procuracys_2(
    world: World,
) -> None:
    case = open_case(world, RECEIVED)
    clock = clock_start(case=case, rule_code="resolve", at=RECEIVED)
    assert clock is not None and clock.due_at == midnight_after("2026-01-30")
    clock = clock_extend(
        case=case,
        rule_code="resolve",
        extension_rule_code="resolve_extended",
        at=RECEIVED + timedelta(days=15),
    )
    assert clock.due_at == midnight_after("2026-03-10")
    assert clock.rule_code == "resolve_extended" and "Art 147(2)" in clock.citation_en
    clock = clock_extend(
        case=case,
        rule_code="resolve",
        extension_rule_code="resolve_procuracy",
        at=RECEIVED + timedelta(days=50),
    )
    assert clock.due_at == midnight_after("2026-05-11")  # 10/5 is a Sunday
    assert [link["code"] for link in clock.chain] == [
        "resolve",
        "resolve_extended",
        "resolve_procuracy",
    ]


def test_the_procuracy_may_grant_less_than_2_months(world: World) -> None:
    case = open_case(world, RECEIVED)
    clock_start(case=case, rule_code="resolve", at=RECEIVED)
    clock_extend(
        case=case, rule_code="resolve", extension_rule_code="resolve_extended", at=RECEIVED
    )
    clock = clock_extend(
        case=case,
        rule_code="resolve",
        extension_rule_code="resolve_procuracy",
        at=RECEIVED,
        amount=1,
    )
    assert clock.due_at == midnight_after("2026-04-10")


def test_the_procuracy_cannot_extend_before_the_2_month_extension(world: World) -> None:
    case = open_case(world, RECEIVED)
    clock_start(case=case, rule_code="resolve", at=RECEIVED)
    with pytest.raises(ClockError):
        clock_extend(
            case=case, rule_code="resolve", extension_rule_code="resolve_procuracy", at=RECEIVED
        )


def test_an_extension_cannot_exceed_the_rule(world: World) -> None:
    case = open_case(world, RECEIVED)
    clock_start(case=case, rule_code="resolve", at=RECEIVED)
    with pytest.raises(ClockError):
        clock_extend(
            case=case,
            rule_code="resolve",
            extension_rule_code="resolve_extended",
            at=RECEIVED,
            amount=3,
        )


def test_extending_twice_the_same_way_is_refused(world: World) -> None:
    case = open_case(world, RECEIVED)
    clock_start(case=case, rule_code="resolve", at=RECEIVED)
    clock_extend(
        case=case, rule_code="resolve", extension_rule_code="resolve_extended", at=RECEIVED
    )
    with pytest.raises(ClockError):
        clock_extend(
            case=case, rule_code="resolve", extension_rule_code="resolve_extended", at=RECEIVED
        )


def test_an_extended_breached_clock_runs_again_and_its_new_breach_is_noticed(
    world: World,
) -> None:
    case = open_case(world, RECEIVED)
    clock_start(case=case, rule_code="resolve", at=RECEIVED)
    late = midnight_after("2026-01-31")
    assert clock_of(case, "resolve").pk in {c.pk for c in clocks_due_breaches(late)}
    clock = clock_extend(
        case=case, rule_code="resolve", extension_rule_code="resolve_extended", at=late
    )
    assert clock.state == CaseClock.State.RUNNING
    after = midnight_after("2026-03-11").astimezone(VN_TZ)
    assert clock.pk in {c.pk for c in clocks_due_breaches(after)}
