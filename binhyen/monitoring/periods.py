"""Reporting periods in Vietnam time: ISO weeks (Monday 00:00 – Sunday 24:00), months,
quarters and any range of days. A period is the half-open instant range [start, end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from binhyen.lib.clocks import VN_TZ


class PeriodError(ValueError):
    """A period the user typed could not be read; the message says how to write one."""


@dataclass(frozen=True)
class Period:
    kind: str  # week | month | quarter | range
    label: str  # 2026-W47 | 2026-11 | 2026-Q4 | 2026-11-01..2026-11-30
    start: datetime
    end: datetime
    first_day: date
    last_day: date

    @property
    def title_vi(self) -> str:
        if self.kind == "week":
            year, week = self.label.split("-W")
            return f"Tuần {int(week)}/{year} ({self.first_day:%d/%m} – {self.last_day:%d/%m/%Y})"
        if self.kind == "month":
            return f"Tháng {self.first_day.month}/{self.first_day.year}"
        if self.kind == "quarter":
            return f"Quý {(self.first_day.month - 1) // 3 + 1}/{self.first_day.year}"
        return f"{self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y}"

    def previous(self) -> Period:
        if self.kind == "week":
            return week_of(self.first_day - timedelta(days=7))
        if self.kind == "month":
            return month_of(self.first_day - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.first_day - timedelta(days=1))
        length = self.last_day - self.first_day
        last = self.first_day - timedelta(days=1)
        return day_range(last - length, last)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=VN_TZ)


def day_range(first: date, last: date) -> Period:
    if last < first:
        raise PeriodError(f"Ngày kết thúc trước ngày bắt đầu. {HELP}")
    if (last - first).days > 366 * 3:
        raise PeriodError(f"Khoảng thời gian quá dài (tối đa 3 năm). {HELP}")
    return Period(
        "range",
        f"{first.isoformat()}..{last.isoformat()}",
        _midnight(first),
        _midnight(last + timedelta(days=1)),
        first,
        last,
    )


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    sunday = monday + timedelta(days=6)
    return Period(
        "week",
        f"{year}-W{week:02d}",
        _midnight(monday),
        _midnight(sunday + timedelta(days=1)),
        monday,
        sunday,
    )


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period(
        "month", f"{first:%Y-%m}", _midnight(first), _midnight(nxt), first, nxt - timedelta(days=1)
    )


def quarter_of(day: date) -> Period:
    q = (day.month - 1) // 3
    first = date(day.year, q * 3 + 1, 1)
    nxt = date(day.year + 1, 1, 1) if q == 3 else date(day.year, q * 3 + 4, 1)
    return Period(
        "quarter",
        f"{day.year}-Q{q + 1}",
        _midnight(first),
        _midnight(nxt),
        first,
        nxt - timedelta(days=1),
    )


def local_date(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


def current_week(now: datetime) -> Period:
    return week_of(local_date(now))


def last_complete_week(now: datetime) -> Period:
    return week_of(local_date(now) - timedelta(days=7))


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

HELP = (
    "Viết kỳ theo dạng 2026-W47 (tuần), 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026-11-01..2026-11-30."
)


def parse_period(text: str) -> Period:
    """Read a period as typed in a URL or on the command line; PeriodError when unreadable."""
    text = (text or "").strip()
    try:
        if m := _WEEK.match(text):
            year, week = int(m.group(1)), int(m.group(2))
            return week_of(date.fromisocalendar(year, week, 1))
        if m := _MONTH.match(text):
            return month_of(date(int(m.group(1)), int(m.group(2)), 1))
        if m := _QUARTER.match(text):
            return quarter_of(date(int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1, 1))
        if m := _RANGE.match(text):
            return day_range(date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2)))
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"Kỳ “{text[:40]}” không có thật. {HELP}") from exc
    raise PeriodError(f"Không đọc được kỳ “{text[:40]}”. {HELP}")
