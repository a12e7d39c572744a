"""Deadline arithmetic: a golden table checked by hand against the calendar, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binhyen.lib.clocks import (
    DEFAULT_RULES,
    DEFAULT_RULES_BY_CODE,
    VN_TZ,
    Calendar,
    Rule,
    add_duration,
    chain_deadline,
    continue_period,
    extend_for_pause,
    format_deadline_vi,
    nominal_end,
)

R = DEFAULT_RULES_BY_CODE


def at(text: str) -> datetime:
    """'2026-02-13 10:00' in Vietnam time, or any ISO string with its own offset."""
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)


def midnight_after(day: str) -> datetime:
    """24:00 of `day` (Vietnam time)."""
    return datetime.combine(
        date.fromisoformat(day) + timedelta(days=1), datetime.min.time(), tzinfo=VN_TZ
    )


def D(text: str) -> date:
    return date.fromisoformat(text)


# Each row: start, the rules that govern the clock in order ("code" or "code:amount"; a clock's
# rule followed by its extensions), calendar overrides (days off, working days), and the
# deadline worked out by hand from the official calendar.
# fmt: off
GOLDEN = [
    # -- calendar days, 24:00 of the last day (CPC Art 134(1)) ---------------------------------
    ("20 days, plain", "2026-02-13 10:00", "resolve", (), (), midnight_after("2026-03-05")),
    ("20 days ending in Tết 2026 roll to the first working day after it",
     "2026-01-28 10:00", "resolve", (), (), midnight_after("2026-02-23")),
    ("last second of a day counts that day as day 0",
     "2026-03-04 23:59:59", "resolve", (), (), midnight_after("2026-03-24")),
    ("first second of a day counts that day as day 0",
     "2026-03-05 00:00", "resolve", (), (), midnight_after("2026-03-25")),
    ("a UTC instant is read as Vietnam local time",
     "2026-03-04T17:30:00+00:00", "resolve", (), (), midnight_after("2026-03-25")),
    ("received on 30/4: 7 days end on a working Thursday",
     "2026-04-30 08:00", "commune_check", (), (), midnight_after("2026-05-07")),
    ("7 days ending on 30/4/2027, with 1/5 on Saturday observed Monday 3/5",
     "2027-04-23 10:00", "commune_check", (), (), midnight_after("2027-05-04")),
    ("3 days ending on 1/9/2026, both National Day days off",
     "2026-08-29 10:00", "result_notice", (), (), midnight_after("2026-09-03")),
    ("Hùng Kings' day 2027 (lunar 10/3 = Friday 16/4) rolls to Monday",
     "2027-04-13 10:00", "result_notice", (), (), midnight_after("2027-04-19")),
    ("Hùng Kings' day 2026 falls on Sunday, its Monday in lieu is off",
     "2026-04-20 10:00", "commune_check", (), (), midnight_after("2026-04-28")),
    ("Vietnam Cultural Day 24/11 (from 2026) is a day off",
     "2026-11-21 10:00", "result_notice", (), (), midnight_after("2026-11-25")),
    ("an administrator's extra day off also rolls a calendar-day period",
     "2027-03-01 10:00", "resolve", (D("2027-03-22"),), (), midnight_after("2027-03-23")),
    ("New Year 2027 rolls a 3-day period past the weekend",
     "2026-12-29 10:00", "resumption_notice", (), (), midnight_after("2027-01-04")),
    # -- working days (JC 01/2017 Art 14(1)) --------------------------------------------------
    ("3 working days skip Tết 2026 (16–20/2) and both weekends",
     "2026-02-12 09:00", "receipt_notice", (), (), midnight_after("2026-02-24")),
    ("3 working days from Tết 2027 eve (4–10/2 off)",
     "2027-02-05 08:00", "receipt_notice", (), (), midnight_after("2027-02-15")),
    ("29 Tết 2027 (Thursday 4/2) is already off",
     "2027-02-03 15:00", "receipt_notice", (), (), midnight_after("2027-02-15")),
    ("an extra Tết day decided by the government",
     "2027-02-05 08:00", "receipt_notice", (D("2027-02-11"),), (), midnight_after("2027-02-16")),
    ("3 working days over 30/4 and 1/5 2026",
     "2026-04-29 10:00", "receipt_notice", (), (), midnight_after("2026-05-06")),
    ("government swap: Saturday 22/8/2026 is worked",
     "2026-08-21 10:00", "receipt_notice", (), (), midnight_after("2026-08-25")),
    ("government swap: Monday 31/8/2026 is off, then National Day",
     "2026-08-27 10:00", "receipt_notice", (), (), midnight_after("2026-09-04")),
    ("an administrator's working Saturday counts",
     "2027-01-06 10:00", "receipt_notice", (), (D("2027-01-09"),), midnight_after("2027-01-09")),
    ("the same week without the override",
     "2027-01-06 10:00", "receipt_notice", (), (), midnight_after("2027-01-11")),
    ("an administrator's Monday off is skipped",
     "2026-12-31 10:00", "receipt_notice", (D("2027-01-04"),), (), midnight_after("2027-01-07")),
    # -- minutes and hours run around the clock ---------------------------------------------
    ("critical: 5 minutes across midnight into Tết",
     "2026-02-16 23:58", "first_ack_critical", (), (), at("2026-02-17 00:03")),
    ("high: 30 minutes across midnight into Tết 2027",
     "2027-02-05 23:45", "first_ack_high", (), (), at("2027-02-06 00:15")),
    ("normal: 24 hours ending on a Sunday holiday are not rolled",
     "2026-04-25 10:00", "first_ack_normal", (), (), at("2026-04-26 10:00")),
    ("classify: 24 hours ending on 30/4 are not rolled",
     "2026-04-29 18:00", "classify", (), (), at("2026-04-30 18:00")),
    ("transfer: 24 hours into a Saturday",
     "2026-03-06 20:00", "transfer", (), (), at("2026-03-07 20:00")),
    ("Zalo paid window: 7 days are 168 hours",
     "2026-02-16 10:00", "zalo_paid", (), (), at("2026-02-23 10:00")),
    # -- extensions: 20 days → 2 months → +2 months (CPC Art 147(2)) ---------------------------
    ("extended to 2 months from receipt",
     "2026-01-10 10:00", "resolve resolve_extended", (), (), midnight_after("2026-03-10")),
    ("procuracy adds 2 months; the end falls on Sunday 10/5",
     "2026-01-10 10:00", "resolve resolve_extended resolve_procuracy", (), (),
     midnight_after("2026-05-11")),
    ("procuracy grants 1 month only",
     "2026-01-10 10:00", "resolve resolve_extended resolve_procuracy:1", (), (),
     midnight_after("2026-04-10")),
    ("2 months from 31/12 end on 28/2 (a Saturday), rolled to Monday",
     "2025-12-31 10:00", "resolve resolve_extended", (), (), midnight_after("2026-03-02")),
    ("the procuracy's 2 months continue from 28/2, not from the rolled Monday",
     "2025-12-31 10:00", "resolve resolve_extended resolve_procuracy", (), (),
     midnight_after("2026-04-28")),
    # -- suspension and resumption (CPC Art 148, 149) -----------------------------------------
    ("after resumption: 1 month from the resumption decision",
     "2026-06-15 14:00", "resolve_resumed", (), (), midnight_after("2026-07-15")),
    ("1 month from 31/1 ends on 28/2 (Saturday), rolled",
     "2026-01-31 09:00", "resolve_resumed", (), (), midnight_after("2026-03-02")),
    ("monthly review of a suspended report ending in Tết 2027",
     "2027-01-06 10:00", "suspension_review", (), (), midnight_after("2027-02-11")),
]
# fmt: on


def _chain(spec: str) -> list[tuple[Rule, int | None]]:
    out: list[tuple[Rule, int | None]] = []
    for item in spec.split():
        code, _, amount = item.partition(":")
        out.append((R[code], int(amount) if amount else None))
    return out


@pytest.mark.parametrize(
    ("start", "rules", "days_off", "working", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in GOLDEN],
)
def test_golden_deadlines(
    start: str,
    rules: str,
    days_off: tuple[date, ...],
    working: tuple[date, ...],
    expected: datetime,
) -> None:
    calendar = Calendar.with_overrides(days_off=days_off, working_days=working)
    assert chain_deadline(at(start), _chain(rules), calendar) == expected


# fmt: off
PAUSES = [
    ("a suspension of 3 days 6 hours pushes the resolution deadline back as much",
     "resolve", midnight_after("2026-03-05"), "2026-03-01 10:00", "2026-03-04 16:00",
     at("2026-03-09 06:00")),
    ("a pause over Tết counts calendar time, not working days",
     "resolve_extended", midnight_after("2026-03-10"), "2026-02-14 00:00", "2026-02-23 00:00",
     midnight_after("2026-03-19")),
    ("a receipt notice is not paused by a suspension",
     "receipt_notice", midnight_after("2026-03-05"), "2026-03-01 10:00", "2026-03-04 16:00",
     midnight_after("2026-03-05")),
    ("operational clocks never pause",
     "first_ack_normal", at("2026-03-02 10:00"), "2026-03-01 10:00", "2026-03-04 16:00",
     at("2026-03-02 10:00")),
]
# fmt: on


@pytest.mark.parametrize(
    ("code", "due", "paused_from", "paused_to", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in PAUSES],
)
def test_golden_pauses(
    code: str, due: datetime, paused_from: str, paused_to: str, expected: datetime
) -> None:
    assert extend_for_pause(due, R[code], at(paused_from), at(paused_to)) == expected


# --- the calendar ------------------------------------------------------------------------------


def test_library_knows_tet_2027_and_hung_kings_day() -> None:
    cal = Calendar()
    assert cal.holiday_name(D("2027-02-06")) == "Tết Nguyên Đán"
    assert cal.holiday_name(D("2027-04-16")) == "Ngày Giỗ Tổ Hùng Vương"
    assert not cal.is_working_day(D("2027-02-10"))


def test_government_working_saturday_comes_from_the_library() -> None:
    assert Calendar().is_working_day(D("2026-08-22"))


def test_administrator_override_beats_the_library() -> None:
    cal = Calendar.with_overrides(days_off=[D("2026-08-22")], working_days=[D("2026-02-20")])
    assert not cal.is_working_day(D("2026-08-22"))
    assert cal.is_working_day(D("2026-02-20"))


def test_a_day_cannot_be_both_off_and_working() -> None:
    with pytest.raises(ValueError, match="both"):
        Calendar.with_overrides(days_off=[D("2026-03-02")], working_days=[D("2026-03-02")])


def test_days_off_lists_weekdays_off_and_worked_weekends() -> None:
    listed = dict(Calendar().days_off(2026))
    assert listed[D("2026-08-22")] == "ngày làm việc bù"
    assert D("2026-02-17") in listed
    assert D("2026-03-07") not in listed  # an ordinary Saturday


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        add_duration(datetime(2026, 3, 1, 10), R["resolve"], Calendar())


def test_a_pause_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        extend_for_pause(
            at("2026-03-06 00:00"), R["resolve"], at("2026-03-02 00:00"), at("2026-03-01 00:00")
        )


def test_end_of_day_deadline_is_shown_as_24h_of_the_last_day() -> None:
    assert format_deadline_vi(midnight_after("2026-03-05")) == "24:00 ngày 05/03/2026"
    assert format_deadline_vi(at("2026-03-05T07:30:00+00:00")) == "14:30 ngày 05/03/2026"


def test_continuing_a_period_starts_from_its_last_day() -> None:
    cal = Calendar()
    assert continue_period(midnight_after("2026-03-01"), R["resolve_resumed"], cal) == (
        midnight_after("2026-04-01")
    )


def test_every_default_rule_has_a_citation_and_a_description() -> None:
    for rule in DEFAULT_RULES:
        assert rule.citation_vi and rule.citation_en, rule.code
        assert rule.description_vi and rule.description_en, rule.code
        if rule.extends:
            assert rule.extends in R and R[rule.extends].family == rule.family
        if rule.restart_on_resume:
            assert R[rule.restart_on_resume].family == rule.family


# --- properties --------------------------------------------------------------------------------

LEGAL = [r for r in DEFAULT_RULES if r.kind == "legal"]
DAY_RULES = [r for r in LEGAL if r.is_day_based]

starts = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.sampled_from([VN_TZ, UTC]),
)
override_days = st.dictionaries(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 6, 30)), st.booleans(), max_size=30
)


def _calendar(overrides: dict[date, bool]) -> Calendar:
    return Calendar.with_overrides(
        days_off=[d for d, working in overrides.items() if not working],
        working_days=[d for d, working in overrides.items() if working],
    )


@settings(deadline=None, max_examples=300)
@given(
    start=starts, rule=st.sampled_from(LEGAL), amount=st.integers(0, 120), overrides=override_days
)
def test_legal_deadline_is_never_earlier_than_the_bare_duration(
    start: datetime, rule: Rule, amount: int, overrides: dict[date, bool]
) -> None:
    if rule.unit == "months":
        amount %= 13
    due = add_duration(start, rule, _calendar(overrides), amount=amount)
    assert due >= nominal_end(start, rule, amount=amount)
    assert due >= start


@settings(deadline=None, max_examples=300)
@given(
    start=starts,
    rule=st.sampled_from(DAY_RULES),
    amount=st.integers(0, 60),
    overrides=override_days,
)
def test_day_deadlines_land_at_midnight_after_a_working_day(
    start: datetime, rule: Rule, amount: int, overrides: dict[date, bool]
) -> None:
    if rule.unit == "months":
        amount %= 13
    cal = _calendar(overrides)
    due = add_duration(start, rule, cal, amount=amount).astimezone(VN_TZ)
    assert (due.hour, due.minute, due.second, due.microsecond) == (0, 0, 0, 0)
    assert cal.is_working_day(due.date() - timedelta(days=1))


@settings(deadline=None, max_examples=200)
@given(start=starts, amount=st.integers(0, 40), overrides=override_days)
def test_working_day_deadlines_land_at_midnight_after_a_working_day(
    start: datetime, amount: int, overrides: dict[date, bool]
) -> None:
    cal = _calendar(overrides)
    due = add_duration(start, R["receipt_notice"], cal, amount=amount).astimezone(VN_TZ)
    assert due.time() == datetime.min.time()
    last = due.date() - timedelta(days=1)
    assert cal.is_working_day(last)
    counted = sum(
        cal.is_working_day(start.astimezone(VN_TZ).date() + timedelta(days=i))
        for i in range(1, (last - start.astimezone(VN_TZ).date()).days + 1)
    )
    assert counted == max(amount, 1) or (amount == 0 and counted == 0)


@settings(deadline=None, max_examples=300)
@given(
    due=starts,
    rule=st.sampled_from(DEFAULT_RULES),
    paused_from=starts,
    pause=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)
def test_pausing_never_shortens_and_extends_only_suspendable_legal_clocks(
    due: datetime, rule: Rule, paused_from: datetime, pause: timedelta
) -> None:
    extended = extend_for_pause(due, rule, paused_from, paused_from + pause)
    assert extended >= due
    if rule.kind == "legal" and rule.pausable:
        assert extended - due == pause
    else:
        assert extended == due


@settings(deadline=None, max_examples=200)
@given(
    start=starts,
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    rule=st.sampled_from(DEFAULT_RULES),
    overrides=override_days,
)
def test_a_later_start_never_gives_an_earlier_deadline(
    start: datetime, later: timedelta, rule: Rule, overrides: dict[date, bool]
) -> None:
    cal = _calendar(overrides)
    assert add_duration(start, rule, cal) <= add_duration(start + later, rule, cal)


@settings(deadline=None, max_examples=200)
@given(start=starts, overrides=override_days)
def test_each_extension_ends_no_earlier_than_the_period_it_extends(
    start: datetime, overrides: dict[date, bool]
) -> None:
    cal = _calendar(overrides)
    chain = _chain("resolve resolve_extended resolve_procuracy")
    dues = [chain_deadline(start, chain[: i + 1], cal) for i in range(len(chain))]
    assert dues == sorted(dues)
