"""In a worker's batch the open clocks of a case are kept in memory once started or read
(`clocks.services._OPEN`): what it answers must always be what the database holds, after
any mix of moves, and a case opened in the batch never reads its clocks back."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from binhyen.clocks import services as clocks
from binhyen.clocks.models import CaseClock
from binhyen.clocks.tests.factories import T0
from binhyen.lib import memo, txbatch
from binhyen.testing import World, bare_case, selects_from


def _in_db(case_id: int) -> dict[str, tuple[int, str, str]]:
    return {
        c.family: (c.pk, c.rule_code, c.state)
        for c in CaseClock.objects.filter(case_id=case_id, state__in=CaseClock.OPEN_STATES)
    }


def _known(running: dict[str, CaseClock]) -> dict[str, tuple[int, str, str]]:
    return {family: (c.pk, c.rule_code, c.state) for family, c in running.items()}


def _clock_reads(ctx: CaptureQueriesContext) -> int:
    return selects_from(ctx, "clocks_caseclock")


def test_clocks_known_in_a_batch_are_the_clocks_in_the_database(world: World) -> None:
    with memo.batch(), txbatch.shared():
        case = bare_case(
            world.bmt, "Có nhóm thanh niên tụ tập mang hung khí", page=world.bmt_page, at=T0
        )
        with CaptureQueriesContext(connection) as ctx:
            running = clocks.clocks_open(case)
        assert _clock_reads(ctx) == 0  # started in this batch: known
        assert set(running) == {"classify", "first_ack"}
        assert _known(running) == _in_db(case.pk)

        # The moves of the reactions, through the dictionary they were given.
        later = T0 + timedelta(minutes=5)
        clocks.clock_start(
            case=case, rule_code="first_ack_critical", at=T0, replace=True, open_clocks=running
        )
        clocks.clock_cancel(case=case, rule_code="classify", at=later, open_clocks=running)
        clocks.clock_start(case=case, rule_code="answer", at=T0, open_clocks=running)
        again = clocks.clocks_open(case)
        assert again is running and _known(again) == _in_db(case.pk)
        assert again["first_ack"].rule_code == "first_ack_critical"

        # A move without the dictionary: forgotten, read again, right.
        clocks.clock_meet(case=case, rule_code="answer", at=later)
        with CaptureQueriesContext(connection) as ctx:
            fresh = clocks.clocks_open(case)
        assert _clock_reads(ctx) == 1
        assert "answer" not in fresh and _known(fresh) == _in_db(case.pk)

        # Read once, then kept: a second reader needs no query.
        with CaptureQueriesContext(connection) as ctx:
            assert clocks.clocks_open(case) is fresh
        assert _clock_reads(ctx) == 0
        clocks.clocks_cancel_open(case=case, at=later, reason="test")
        assert clocks.clocks_open(case) == {} == _in_db(case.pk)


def test_outside_a_batch_open_clocks_are_always_read(world: World) -> None:
    case = bare_case(world.bmt, "Trộm xe máy trước chợ", page=world.bmt_page, at=T0)
    with CaptureQueriesContext(connection) as ctx:
        first = clocks.clocks_open(case)
        second = clocks.clocks_open(case)
    assert _clock_reads(ctx) == 2 and first is not second
    assert _known(first) == _in_db(case.pk)
