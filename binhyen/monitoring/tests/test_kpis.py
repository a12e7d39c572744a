"""Each figure of week 2026-W47 against values worked out by hand (tests/history.py)."""

from __future__ import annotations

import math

import pytest
import time_machine

from binhyen.cases import services
from binhyen.cases.models import Case
from binhyen.monitoring import kpis
from binhyen.monitoring.periods import parse_period
from binhyen.monitoring.tests.history import build, receive, vn

W47 = parse_period("2026-W47")
W48 = parse_period("2026-W48")
LATER = vn(1, 12, month=12)


@pytest.fixture
def history(world):
    return build(world)


@pytest.fixture
def table(world, history):
    return kpis.compute_table(W47, LATER)


def test_received_counts_by_the_page_that_received_in_vietnam_time(world, history, table):
    bmt = table.of(world.bmt)
    # A (Sun 23:00 UTC but Monday in Vietnam), D, F, G; not C (Monday 00:10 of W48).
    assert bmt["received"] == 4
    assert bmt["received.channel.zalo"] == 3
    assert bmt["received.channel.web"] == 1
    assert bmt["received.duplicates"] == 1
    assert bmt["received.intent.question"] == 2
    assert bmt["received.category.theft_robbery"] == 1
    assert bmt["received.urgency.high"] == 1
    # E was received by the province page, then transferred: still the province's receipt.
    assert table.own[world.province.pk]["received"] == 1
    assert table.of(world.tanan)["received"] == 1  # B, Sunday 23:50
    assert table.of(world.province)["received"] == 6


def test_c_belongs_to_the_next_week(world, history):
    w48 = kpis.compute_table(W48, LATER)
    assert w48.of(world.bmt)["received"] == 1


def test_time_to_first_acknowledgement_median_and_p90(world, history, table):
    bmt = table.of(world.bmt)
    # A 20 min, G 1 h, F 2 h; D was merged before anyone acknowledged it (not counted).
    assert sorted(bmt.durations["ack"]) == [1200, 3600, 7200]
    assert bmt.percentile("ack", 0.5) == 3600
    assert bmt.percentile("ack", 0.9) == 7200
    tanan = table.of(world.tanan)
    # E counted from its transfer (16:00) to the claim (17:00); B 9 h (acknowledged Monday).
    assert tanan.percentile("ack", 0.5) == 3600
    assert tanan.percentile("ack", 0.9) == 9 * 3600
    province = table.of(world.province)
    assert province.percentile("ack", 0.5) == 3600
    assert province.percentile("ack", 0.9) == 9 * 3600


def test_time_to_first_answer(world, history, table):
    bmt = table.of(world.bmt)
    # G: reply after 1 h; F: marked answered after 2 h; A (tip) ended without a reply.
    assert sorted(bmt.durations["answer"]) == [3600, 7200]
    assert bmt["answer.done"] == 2
    assert table.of(world.tanan).durations["answer"] == [9 * 3600]


def test_a_case_still_waiting_counts_as_not_yet(world):
    with_answer = receive(world.tanan_page, "u1", "Xin hỏi thủ tục", vn(20, 8))
    assert with_answer is not None
    with time_machine.travel(vn(20, 9), tick=False):
        services.case_claim(case=with_answer, actor=world.officer_tanan)
    receive(world.tanan_page, "u2", "Xin hỏi thủ tục khác", vn(22, 23, 50))
    tanan = kpis.compute_table(W47, vn(22, 23, 55)).of(world.tanan)
    assert (tanan["ack.done"], tanan["ack.pending"]) == (1, 1)
    assert tanan.percentile("ack", 0.5) == 3600
    assert tanan.percentile("ack", 0.9) == math.inf


def test_share_of_deadlines_met(world, history, table):
    bmt = table.of(world.bmt)
    # First acknowledgement of A, F, G due in the week and met; D's cancelled by the merge;
    # the questions F and G also had their answer clock, met.
    assert (bmt["clock.operational.due"], bmt["clock.operational.in_time"]) == (5, 5)
    assert (bmt["clock.rule.answer.due"], bmt["clock.rule.answer.in_time"]) == (2, 2)
    # A, F and G were classified within 24 h.
    assert (bmt["clock.rule.classify.due"], bmt["clock.rule.classify.in_time"]) == (3, 3)
    tanan = table.of(world.tanan)
    # E: Tân An acknowledged within the hour but nobody classified it by Thursday 14:00.
    assert (tanan["clock.rule.first_ack_normal.due"], tanan["clock.operational.in_time"]) == (1, 1)
    assert (tanan["clock.rule.classify.due"], tanan["clock.rule.classify.in_time"]) == (1, 0)
    # The province's own acknowledgement clock on E stopped at the transfer, before its due.
    assert table.own.get(world.province.pk, kpis.Figures())["clock.operational.due"] == 0


def test_open_and_overdue_at_the_end_of_the_week(world, history, table):
    bmt, tanan = table.of(world.bmt), table.of(world.tanan)
    # A was reopened on Friday and stayed open past Sunday 24:00; F and G were answered.
    assert bmt["open_end"] == 1
    assert bmt["overdue_end"] == 0
    # B (open, not yet due) and E (classification overdue since Thursday).
    assert tanan["open_end"] == 2
    assert tanan["overdue_end"] == 1
    assert tanan["classify_overdue_end"] == 1


def test_decisions_reopenings_and_outcomes(world, history, table):
    bmt = table.of(world.bmt)
    assert bmt["decided"] == 4  # A resolved, D merged, F and G answered
    assert bmt["decided.resolved.administrative_handled"] == 1
    assert bmt["decided.merged"] == 1
    assert bmt["questions.answered"] == 2
    assert bmt["reopened"] == 1
    assert bmt["detained"] == 2
    assert bmt.items == {"dao": 3}
    w48 = kpis.compute_table(W48, LATER).of(world.bmt)
    assert w48["decided.resolved.prosecution_proposed"] == 1
    assert w48["reopened"] == 0


def test_followers_gained_and_lost(world, history, table):
    bmt = table.of(world.bmt)
    assert (bmt["followers.gained"], bmt["followers.lost"]) == (3, 1)


def test_satisfaction_asked_once_and_answered(world, history, table):
    bmt = table.of(world.bmt)
    # Asked when A (Wed), F and G (Thu) ended; not again when A ended a second time.
    assert bmt["satisfaction.asked"] == 3
    assert bmt["satisfaction.answered"] == 2
    assert bmt.satisfaction_mean() == 4.5
    assert kpis.compute_table(W48, LATER).of(world.bmt)["satisfaction.asked"] == 0


def test_the_zalo_answer_to_the_question_opened_no_case(world, history):
    assert Case.objects.count() == 7


@pytest.mark.parametrize(
    "key,expected",
    [
        ("received", {"A", "D", "F", "G"}),
        ("received.duplicates", {"D"}),
        ("received.channel.web", {"F"}),
        ("open_end", {"A"}),
        ("decided", {"A", "D", "F", "G"}),
        ("reopened", {"A"}),
        ("ack", {"A", "F", "G"}),
        ("detained", {"A"}),
        ("satisfaction.answered", {"F", "G"}),
    ],
)
def test_every_figure_opens_to_the_cases_behind_it(world, history, key, expected):
    names = {getattr(history, n).pk: n.upper() for n in "abcdefg"}
    qs = kpis.figure_cases(key, W47, LATER)
    assert qs is not None
    shown = kpis.restrict_to_subtree(qs, key, world.bmt)
    assert {names[c.pk] for c in shown} == expected


def test_drill_down_of_received_follows_the_receiving_unit(world, history):
    qs = kpis.figure_cases("received", W47, LATER)
    assert qs is not None
    assert list(kpis.restrict_to_subtree(qs, "received", world.tanan)) == [history.b]
    qs = kpis.figure_cases("classify_overdue_end", W47, LATER)
    assert qs is not None
    assert list(kpis.restrict_to_subtree(qs, "classify_overdue_end", world.tanan)) == [history.e]


def test_unknown_figure_opens_nothing():
    assert kpis.figure_cases("received.channel", W47, LATER) is None
    assert kpis.figure_cases("nonsense", W47, LATER) is None
