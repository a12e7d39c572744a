"""What the console shows: every clock of a case, the Zalo reply windows the same way."""

from __future__ import annotations

from datetime import timedelta

from binhyen.clocks.services import (
    case_clock_summary,
    clock_meet,
    clock_start,
    clocks_pause,
)
from binhyen.clocks.tests.factories import T0, midnight_after, open_case, open_zalo_case
from binhyen.testing import World


def test_summary_gives_remaining_time_and_citation_for_each_clock(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="classify", at=T0)
    views = {v.code: v for v in case_clock_summary(case, T0 + timedelta(hours=20))}
    classify = views["classify"]
    assert classify.remaining_seconds == 4 * 3600 and not classify.overdue
    assert "Điều 8" in classify.citation_vi and classify.label
    assert classify.due_display == "09:00 ngày 03/03/2026"


def test_summary_marks_an_overdue_clock(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_critical", at=T0)
    (view,) = [
        v for v in case_clock_summary(case, T0 + timedelta(minutes=7)) if v.family == "first_ack"
    ]
    assert view.overdue and view.remaining_seconds == -120


def test_an_end_of_day_deadline_reads_24h(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="receipt_notice", at=T0)
    (view,) = [v for v in case_clock_summary(case, T0) if v.code == "receipt_notice"]
    assert view.due_at == midnight_after("2026-03-05")
    assert view.due_display == "24:00 ngày 05/03/2026"


def test_a_paused_clock_shows_the_time_left_when_it_stopped(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="resolve", at=T0)
    clocks_pause(case=case, at=midnight_after("2026-03-20"))
    (view,) = [v for v in case_clock_summary(case, T0 + timedelta(days=90)) if v.code == "resolve"]
    assert view.state == "paused" and not view.overdue
    assert view.remaining_seconds == 3 * 86400


def test_met_clocks_come_after_the_open_ones(world: World) -> None:
    case = open_case(world)
    clock_start(case=case, rule_code="first_ack_critical", at=T0)
    clock_start(case=case, rule_code="resolve", at=T0)
    clock_meet(case=case, rule_code="first_ack_critical", at=T0 + timedelta(minutes=2))
    states = [v.state for v in case_clock_summary(case, T0 + timedelta(minutes=3))]
    assert states[-1] == "met" and "running" in states[:-1]


def test_zalo_reply_windows_appear_as_deadlines(world: World) -> None:
    case = open_zalo_case(world)
    views = {v.code: v for v in case_clock_summary(case, T0 + timedelta(hours=50))}
    assert views["zalo_free"].due_at == T0 + timedelta(hours=48)
    assert views["zalo_free"].overdue
    assert views["zalo_paid"].due_at == T0 + timedelta(days=7)
    assert not views["zalo_paid"].overdue and views["zalo_paid"].kind == "channel"


def test_a_case_without_a_conversation_has_no_reply_window(world: World) -> None:
    case = open_case(world)
    assert not [v for v in case_clock_summary(case, T0) if v.kind == "channel"]
