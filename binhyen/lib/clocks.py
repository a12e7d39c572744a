"""Deadlines: the Vietnamese working calendar and the arithmetic of legal and operational clocks.

No Django here: the `binhyen.clocks` app stores rules, calendar overrides and case clocks, and
calls these pure functions. How each rule is read from the law is in docs/clocks.md.

Conventions (CPC 2015 Art 134(1)):

- a period of N days that starts on local day D ends at 24:00 (Asia/Ho_Chi_Minh) of D+N; the
  day of receipt itself is not counted. 24:00 of day X is returned as 00:00 of day X+1;
- a period of N months ends on the same-numbered day N months later, or on the last day of that
  month when it has no such day;
- when such a period ends on a day off (weekend, public holiday, Tết, a government swap day off)
  and the rule says so, the next working day becomes the last day;
- minutes and hours run around the clock: operational clocks never skip nights or holidays.
"""

from __future__ import annotations

import calendar as _calendar
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

import holidays as _holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

Kind = Literal["operational", "legal", "channel"]
Unit = Literal["minutes", "hours", "days", "working_days", "months"]
Anchor = Literal["start", "previous_end"]
Trigger = Literal["", "suspension", "resumption"]

KINDS: tuple[Kind, ...] = ("operational", "legal", "channel")
UNITS: tuple[Unit, ...] = ("minutes", "hours", "days", "working_days", "months")
DAY_UNITS = frozenset({"days", "working_days", "months"})


# --- the calendar ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    """Vietnam's days off for one year, from the `holidays` package, names in Vietnamese.

    Includes Tết (lunar, with the days the Labour Code adds around it), Hùng Kings' day
    (lunar 10/3), 30/4, 1/5, 2/9 and its companion day, observed days and the swap days off
    the government has decided and the package knows about.
    """
    return dict(_holidays.country_holidays("VN", years=year, language="vi").items())


@lru_cache(maxsize=1)
def _library_working_saturdays() -> frozenset[date]:
    """Weekend days the government made working days in exchange for a swap day off.

    The `holidays` package lists the day off ("thay cho ngày 22/08/2026") but not, as a day,
    the Saturday worked in exchange; it keeps both in its table of special holidays, read here.
    If a future release changes that table the set is empty, and the golden tests say so.
    """
    days: set[date] = set()
    try:
        # deferred: only when a year outside the shipped calendar is asked for
        from holidays.countries.vietnam import VietnamStaticHolidays

        table: dict[int, Any] = VietnamStaticHolidays.special_public_holidays
        for year, entries in table.items():
            items = entries if isinstance(entries[0], tuple) else (entries,)
            for entry in items:
                # (month off, day off, month worked, day worked[, year worked])
                if len(entry) in (4, 5):
                    from_year = entry[4] if len(entry) == 5 else year
                    days.add(date(from_year, entry[2], entry[3]))
    except (ImportError, AttributeError, TypeError, ValueError, IndexError):
        return frozenset()
    return frozenset(days)


@dataclass(frozen=True)
class Calendar:
    """Which days are working days for state agencies in Vietnam.

    Order of precedence: an administrator's override (`extra_days_off`, `extra_working_days`)
    beats everything; then a working Saturday/Sunday the government decided; then public
    holidays; then the Saturday/Sunday weekend.
    """

    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    tz: ZoneInfo = VN_TZ

    @classmethod
    def with_overrides(
        cls, *, days_off: Iterable[date] = (), working_days: Iterable[date] = ()
    ) -> Calendar:
        off, work = frozenset(days_off), frozenset(working_days)
        clash = off & work
        if clash:
            raise ValueError(f"days both off and working: {sorted(clash)}")
        return cls(extra_days_off=off, extra_working_days=work)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday on `day` per the holidays package, or None."""
        return _public_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if day in _library_working_saturdays():
            return True
        if day in _public_holidays(day.year):
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        for _ in range(400):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within 400 days: check the calendar overrides")

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself is not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        count, guard = 0, 0
        while count < n:
            day += timedelta(days=1)
            guard += 1
            if guard > 400 + 7 * n:
                raise ValueError("too few working days: check the calendar overrides")
            if self.is_working_day(day):
                count += 1
        return day

    def days_off(self, year: int) -> list[tuple[date, str]]:
        """Every weekday off and every working weekend day of `year`, with why (for display)."""
        out: list[tuple[date, str]] = []
        day = date(year, 1, 1)
        while day.year == year:
            working = self.is_working_day(day)
            weekend = day.weekday() >= 5
            if working and weekend:
                out.append((day, "ngày làm việc bù"))
            elif not working and not weekend:
                reason = self.holiday_name(day) or "ngày nghỉ do cơ quan có thẩm quyền quyết định"
                out.append((day, reason))
            day += timedelta(days=1)
        return out


# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one deadline is computed and where the duty comes from.

    `family` groups the rules that govern one clock (the three first-acknowledgement targets;
    resolution and its extensions); a case has at most one open clock per family.
    """

    code: str
    kind: Kind
    amount: int
    unit: Unit
    end_of_day: bool = False
    roll_to_working_day: bool = False
    citation_vi: str = ""
    description_vi: str = ""
    citation_en: str = ""
    description_en: str = ""
    family: str = ""
    # For an extension: the rule whose clock it extends, and what it counts from — the clock's
    # start ("start") or the end of the period it prolongs ("previous_end").
    extends: str = ""
    anchor: Anchor = "start"
    # Legal suspension: a pausable clock stops; on resumption it either goes on, extended by
    # the time paused, or, when `restart_on_resume` names a rule, a fresh period of that rule
    # starts from the resumption decision.
    pausable: bool = False
    restart_on_resume: str = ""
    # Started automatically when a case's handling is suspended or resumed.
    starts_on: Trigger = ""
    # Recurring (the monthly review of a suspended case): meeting it starts the next period.
    repeat: bool = False
    # Not started when the tipster is anonymous (nobody to write to).
    not_when_anonymous: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.code}: unknown kind {self.kind!r}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.code}: unknown unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError(f"{self.code}: amount must be >= 0")
        if not self.family:
            object.__setattr__(self, "family", self.code)

    @property
    def is_day_based(self) -> bool:
        return self.unit in DAY_UNITS


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("deadlines need timezone-aware datetimes")
    return dt


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def end_of_local_day(day: date, tz: ZoneInfo = VN_TZ) -> datetime:
    """24:00 of `day` in `tz`, i.e. 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _shift_day(day: date, unit: Unit, amount: int, calendar: Calendar) -> date:
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "months":
        return _add_months(day, amount)
    if unit == "working_days":
        return calendar.add_working_days(day, amount)
    raise ValueError(f"{unit} is not a day unit")


def _finish(day: date, local_start: datetime, rule: Rule, calendar: Calendar) -> datetime:
    if rule.roll_to_working_day or rule.unit == "working_days":
        day = calendar.next_working_day(day)
    if rule.end_of_day:
        return end_of_local_day(day, calendar.tz)
    return datetime.combine(day, local_start.timetz().replace(tzinfo=None), tzinfo=calendar.tz)


def add_duration(
    start: datetime, rule: Rule, calendar: Calendar, *, amount: int | None = None
) -> datetime:
    """When a period of `rule` (or of `amount` of its unit) that starts at `start` ends."""
    n = rule.amount if amount is None else amount
    if n < 0:
        raise ValueError("amount must be >= 0")
    start = _aware(start)
    if rule.unit == "minutes":
        return start + timedelta(minutes=n)
    if rule.unit == "hours":
        return start + timedelta(hours=n)
    local = start.astimezone(calendar.tz)
    return _finish(_shift_day(local.date(), rule.unit, n, calendar), local, rule, calendar)


def continue_period(
    period_end: datetime, rule: Rule, calendar: Calendar, *, amount: int | None = None
) -> datetime:
    """When a prolongation by `rule` of a period that ended at `period_end` ends.

    A period ending at 24:00 of day X is prolonged from day X: "2 months more" after a period
    whose last day is 1 March ends at 24:00 of 1 May, not 2 May.
    """
    n = rule.amount if amount is None else amount
    period_end = _aware(period_end)
    if not rule.is_day_based:
        return add_duration(period_end, rule, calendar, amount=n)
    local = period_end.astimezone(calendar.tz)
    last_day = local.date()
    if local.timetz().replace(tzinfo=None) == time(0):
        last_day -= timedelta(days=1)
    return _finish(_shift_day(last_day, rule.unit, n, calendar), local, rule, calendar)


def nominal_end(start: datetime, rule: Rule, *, amount: int | None = None) -> datetime:
    """The bare duration, without end-of-day, roll-over or working days: the legal floor."""
    n = rule.amount if amount is None else amount
    start = _aware(start)
    if rule.unit == "minutes":
        return start + timedelta(minutes=n)
    if rule.unit == "hours":
        return start + timedelta(hours=n)
    if rule.unit in ("days", "working_days"):
        return start + timedelta(days=n)
    local = start.astimezone(VN_TZ)
    day = _add_months(local.date(), n)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=VN_TZ)


def chain_deadline(
    start: datetime, chain: Sequence[tuple[Rule, int | None]], calendar: Calendar
) -> datetime:
    """The deadline of the last rule of `chain` (a clock's rule, then its extensions in order).

    A rule anchored at "start" counts from `start`; one anchored at "previous_end" prolongs the
    period before it from that period's un-rolled end (the stricter reading: a weekend roll-over
    of the earlier period does not lengthen the extension; see docs/clocks.md).
    """
    if not chain:
        raise ValueError("empty chain")
    due: datetime | None = None
    prev_plain: datetime | None = None
    for rule, amount in chain:
        plain = dataclasses.replace(rule, roll_to_working_day=False)
        if rule.anchor == "previous_end" and prev_plain is not None:
            due = continue_period(prev_plain, rule, calendar, amount=amount)
            prev_plain = continue_period(prev_plain, plain, calendar, amount=amount)
        else:
            due = add_duration(start, rule, calendar, amount=amount)
            prev_plain = add_duration(start, plain, calendar, amount=amount)
    assert due is not None
    return due


def extend_for_pause(
    due: datetime, rule: Rule, paused_from: datetime, paused_to: datetime
) -> datetime:
    """`due` pushed back by the time the clock was paused; unchanged for clocks that never pause.

    Only legal clocks whose rule is pausable stop during a suspension (tạm đình chỉ); a pause
    never brings a deadline forward.
    """
    paused_from, paused_to = _aware(paused_from), _aware(paused_to)
    if paused_to < paused_from:
        raise ValueError("a pause cannot end before it starts")
    if rule.kind != "legal" or not rule.pausable:
        return due
    return due + (paused_to - paused_from)


def format_deadline_vi(dt: datetime, tz: ZoneInfo = VN_TZ) -> str:
    """'24:00 ngày 05/03/2026' for an end-of-day deadline, else '14:30 ngày 05/03/2026'."""
    local = _aware(dt).astimezone(tz)
    if local.timetz().replace(tzinfo=None) == time(0):
        return f"24:00 ngày {(local.date() - timedelta(days=1)):%d/%m/%Y}"
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


# --- the default rules -------------------------------------------------------------------------

# The legal readings are defaults the force's legal office confirms (docs/clocks.md); that
# caveat belongs in the docs and the admin, not in every officer's deadline line.
_OPS_VI = "Chỉ tiêu nghiệp vụ của Công an tỉnh (không phải quy định pháp luật)"
_OPS_EN = "Operational target set by the provincial command (not a legal rule)"
_ZALO_VI = "Chính sách tin nhắn Zalo OA"
_ZALO_EN = "Zalo Official Account messaging policy"
_CPC = "BLTTHS 2015"
_JC = "TTLT 01/2017/TTLT-BCA-BQP-BTC-BNN&PTNT-VKSNDTC"


def _legal(
    code: str,
    amount: int,
    unit: Unit,
    cit_vi: str,
    cit_en: str,
    desc_vi: str,
    desc_en: str,
    **kw: object,
) -> Rule:
    day_based = unit in DAY_UNITS
    return Rule(
        code=code,
        kind="legal",
        amount=amount,
        unit=unit,
        end_of_day=day_based,
        roll_to_working_day=day_based,
        citation_vi=cit_vi,
        citation_en=cit_en,
        description_vi=desc_vi,
        description_en=desc_en,
        **kw,  # type: ignore[arg-type]
    )


# fmt: off
DEFAULT_RULES: tuple[Rule, ...] = (
    # Operational: first officer acknowledgement, by urgency; around the clock.
    Rule("first_ack_critical", "operational", 5, "minutes", family="first_ack",
         citation_vi=_OPS_VI, citation_en=_OPS_EN,
         description_vi="Cán bộ xác nhận tin khẩn cấp",
         description_en="Acknowledge a critical tip"),
    Rule("first_ack_high", "operational", 30, "minutes", family="first_ack",
         citation_vi=_OPS_VI, citation_en=_OPS_EN,
         description_vi="Cán bộ xác nhận tin khẩn", description_en="Acknowledge an urgent tip"),
    Rule("first_ack_normal", "operational", 24, "hours", family="first_ack",
         citation_vi=_OPS_VI, citation_en=_OPS_EN,
         description_vi="Cán bộ xác nhận tin", description_en="Acknowledge a tip"),
    # Operational: a question or feedback is answered (not a tip: no legal clock applies).
    Rule("answer", "operational", 24, "hours", citation_vi=_OPS_VI, citation_en=_OPS_EN,
         description_vi="Trả lời câu hỏi, phản ánh của người dân",
         description_en="Answer the citizen's question or feedback"),
    # Legal.
    _legal("classify", 24, "hours", f"Điều 8 {_JC}", "Joint Circular 01/2017 Art 8",
           "Phân loại tố giác, tin báo", "Classify the report"),
    _legal("transfer", 24, "hours", f"Khoản 2 Điều 146 {_CPC}", "CPC 2015 Art 146(2)",
           "Chuyển tin báo cho cơ quan có thẩm quyền (nếu không thuộc thẩm quyền)",
           "Transfer to the competent agency (when not competent)"),
    _legal("commune_check", 7, "days", f"Điểm b khoản 5 Điều 8 {_JC}",
           "Joint Circular 01/2017 Art 8(5)(b)",
           "Công an xã kiểm tra ban đầu và chuyển hồ sơ",
           "Commune police: preliminary check and hand-over"),
    _legal("receipt_notice", 3, "working_days", f"Khoản 1 Điều 14 {_JC}",
           "Joint Circular 01/2017 Art 14(1)",
           "Thông báo bằng văn bản việc tiếp nhận cho người tố giác (trừ trường hợp nặc danh)",
           "Written notice of receipt to the tipster (not when anonymous)",
           not_when_anonymous=True),
    _legal("resolve", 20, "days", f"Khoản 1 Điều 147 {_CPC}", "CPC 2015 Art 147(1)",
           "Giải quyết tố giác, tin báo (khởi tố, không khởi tố hoặc tạm đình chỉ)",
           "Resolve the report (prosecute, decline or suspend)",
           family="resolve", pausable=True, restart_on_resume="resolve_resumed"),
    _legal("resolve_extended", 2, "months", f"Khoản 2 Điều 147 {_CPC}",
           "CPC 2015 Art 147(2), first sentence",
           "Gia hạn giải quyết (vụ việc phức tạp): tổng không quá 2 tháng kể từ khi tiếp nhận",
           "Extended resolution (complex case): at most 2 months from receipt in all",
           family="resolve", extends="resolve", pausable=True,
           restart_on_resume="resolve_resumed"),
    _legal("resolve_procuracy", 2, "months", f"Khoản 2 Điều 147 {_CPC}",
           "CPC 2015 Art 147(2), second sentence",
           "Viện kiểm sát gia hạn một lần, không quá 2 tháng",
           "One extension by the procuracy, at most 2 more months",
           family="resolve", extends="resolve_extended", anchor="previous_end", pausable=True,
           restart_on_resume="resolve_resumed"),
    _legal("resolve_resumed", 1, "months", f"Khoản 1 Điều 149 {_CPC}", "CPC 2015 Art 149(1)",
           "Giải quyết tiếp sau khi phục hồi: không quá 1 tháng kể từ quyết định phục hồi",
           "Resolution after resumption: at most 1 month from the resumption decision",
           family="resolve", pausable=True, restart_on_resume="resolve_resumed"),
    _legal("result_notice", 3, "days", f"Khoản 3 Điều 14 {_JC}",
           "Joint Circular 01/2017 Art 14(3)",
           "Thông báo kết quả giải quyết cho người tố giác",
           "Inform the tipster of the decision", not_when_anonymous=True),
    _legal("suspension_notice", 24, "hours", f"Khoản 2 Điều 148 {_CPC}", "CPC 2015 Art 148(2)",
           "Gửi quyết định tạm đình chỉ cho Viện kiểm sát và người tố giác",
           "Send the suspension decision to the procuracy and the tipster",
           starts_on="suspension"),
    _legal("suspension_review", 1, "months", "Kiểm tra định kỳ tin báo tạm đình chỉ "
           "(chưa rõ căn cứ)", "Periodic review of suspended reports (source not identified)",
           "Rà soát tin báo đang tạm đình chỉ hằng tháng",
           "Review the suspended report every month", starts_on="suspension", repeat=True),
    _legal("resumption_notice", 3, "days", f"Khoản 2 Điều 149 {_CPC}", "CPC 2015 Art 149(2)",
           "Gửi quyết định phục hồi cho Viện kiểm sát và người tố giác",
           "Send the resumption decision to the procuracy and the tipster",
           starts_on="resumption"),
    # Channel: how long Zalo lets the page write to the citizen after their last message.
    Rule("zalo_free", "channel", 48, "hours", citation_vi=_ZALO_VI, citation_en=_ZALO_EN,
         description_vi="Zalo: trả lời miễn phí", description_en="Zalo: free reply window"),
    Rule("zalo_paid", "channel", 7, "days", citation_vi=_ZALO_VI, citation_en=_ZALO_EN,
         description_vi="Zalo: trả lời có phí (sau đó chỉ gửi được tin mẫu)",
         description_en="Zalo: paid reply window (then template messages only)"),
)
# fmt: on

DEFAULT_RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in DEFAULT_RULES}
