"""The league table: a transparent score, ranks within a kind of unit, trends, flags in words.

The score is a weighted mean of shares between 0 and 1, each computed from the figures of
`kpis.py`, times 100. A share without data (no deadline fell due, nobody answered the
satisfaction question) is left out and the remaining weights count alone: a quiet commune
is not punished for having had no tips. Weights and thresholds are data
(`ScoreSettings`), shown on the page with the formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import caches
from django.db.models import Max, Q

from binhyen.cases.models import Case, CaseEvent, Message
from binhyen.monitoring.kpis import Figures, Table, compute_table
from binhyen.monitoring.models import FollowEvent, Reminder, ScoreSettings
from binhyen.monitoring.periods import Period
from binhyen.units.models import Unit


@dataclass(frozen=True)
class Component:
    key: str
    letter: str
    label: str
    default_weight: int
    explain: str


COMPONENTS: list[Component] = [
    Component(
        "ack_in_time",
        "A",
        "Nhận xử lý đúng hạn",
        30,
        "số hạn nhận xử lý (nghiệp vụ) đến hạn trong kỳ được hoàn thành đúng hạn / số hạn đến hạn",
    ),
    Component(
        "legal_in_time",
        "B",
        "Đúng hạn pháp lý",
        30,
        "số hạn pháp lý (phân loại, thông báo, giải quyết…) đến hạn trong kỳ được hoàn thành "
        "đúng hạn / số hạn đến hạn",
    ),
    Component(
        "answered",
        "C",
        "Đã trả lời người dân",
        20,
        "số tin báo, câu hỏi, phản ánh nhận trong kỳ đã được trả lời / số tin đã trả lời hoặc "
        "còn chờ trả lời",
    ),
    Component(
        "not_overdue",
        "D",
        "Không tồn đọng quá hạn",
        10,
        "1 − số vụ việc quá hạn cuối kỳ / số vụ việc đang mở cuối kỳ",
    ),
    Component(
        "satisfaction",
        "E",
        "Người dân hài lòng",
        10,
        "(điểm hài lòng trung bình − 1) / 4, từ các đánh giá 1–5 nhận trong kỳ",
    ),
]

DEFAULT_THRESHOLDS: dict[str, float] = {
    "classify_overdue": 1,  # at least this many cases overdue for classification
    "overdue": 1,  # at least this many cases overdue (any deadline)
    "ack_share": 0.8,  # share of acknowledgements in time below this …
    "ack_share_min_due": 3,  # … when at least this many fell due
    "silent_questions_weeks": 2,  # no question answered in this many weeks
    "inactive_page_days": 7,  # no activity on the unit's Zalo page for this many days
    "low_score": 60,  # a score below this is flagged
    "min_due": 3,  # fewer deadlines due than this in the period: not enough data to score
}


def current_settings() -> tuple[dict[str, int], dict[str, float]]:
    row = ScoreSettings.objects.order_by("pk").first()
    weights = {c.key: c.default_weight for c in COMPONENTS}
    thresholds = dict(DEFAULT_THRESHOLDS)
    if row is not None:
        for key, value in (row.weights or {}).items():
            if key in weights and isinstance(value, int | float) and value >= 0:
                weights[key] = int(value)
        for key, value in (row.thresholds or {}).items():
            if key in thresholds and isinstance(value, int | float) and value >= 0:
                thresholds[key] = float(value)
    return weights, thresholds


def formula_text(weights: dict[str, int]) -> str:
    terms = " + ".join(f"{weights[c.key]}×{c.letter}" for c in COMPONENTS)
    return f"Điểm = 100 × ({terms}) / (tổng trọng số của các chỉ số có số liệu)"


def components(fig: Figures) -> dict[str, float | None]:
    open_end = fig["open_end"]
    mean = fig.satisfaction_mean()
    answered = fig["answer.done"] + fig["answer.pending"]
    return {
        "ack_in_time": fig.share("clock.operational.in_time", "clock.operational.due"),
        "legal_in_time": fig.share("clock.legal.in_time", "clock.legal.due"),
        "answered": fig["answer.done"] / answered if answered else None,
        "not_overdue": 1 - fig["overdue_end"] / open_end if open_end else None,
        "satisfaction": (mean - 1) / 4 if mean is not None else None,
    }


def score(fig: Figures, weights: dict[str, int], min_due: float = 0) -> float | None:
    """None when no share has data, or fewer than `min_due` deadlines fell due."""
    if fig["clock.operational.due"] + fig["clock.legal.due"] < min_due:
        return None
    parts = components(fig)
    total = sum(weights[k] for k, v in parts.items() if v is not None)
    if not total:
        return None
    return 100 * sum(weights[k] * v for k, v in parts.items() if v is not None) / total


# --- flags ------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def inactive_pages(units: list[Unit], end: datetime, days: int) -> set[int]:
    """Units with an active Zalo page on which nothing happened (no message either way, no
    follow or unfollow) in the `days` days before `end`; pages connected since are spared."""
    since = end - timedelta(days=days)
    with_pages = set(
        Unit.objects.filter(
            pk__in=[u.pk for u in units],
            channel_accounts__provider="zalo",
            channel_accounts__is_active=True,
            channel_accounts__connected_at__lt=since,
        ).values_list("pk", flat=True)
    )
    if not with_pages:
        return set()
    active = set(
        Message.objects.filter(
            sent_at__gte=since,
            sent_at__lt=end,
            conversation__channel_account__provider="zalo",
            conversation__channel_account__unit_id__in=with_pages,
        )
        .values_list("conversation__channel_account__unit_id", flat=True)
        .distinct()
    )
    active |= set(
        FollowEvent.objects.filter(at__gte=since, at__lt=end, unit_id__in=with_pages)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    return with_pages - active


def flags_for(
    fig: Figures,
    *,
    score_value: float | None,
    earlier: list[Figures],
    thresholds: dict[str, float],
    inactive: bool,
    open_reminders: int = 0,
) -> list[str]:
    """Reasons in words, worst first. `earlier` are the previous weeks' figures, newest first."""
    out: list[str] = []
    n = fig["classify_overdue_end"]
    if n >= thresholds["classify_overdue"]:
        out.append(f"{n} tin quá hạn phân loại")
    n = fig["overdue_end"]
    if n >= thresholds["overdue"] and n > fig["classify_overdue_end"]:
        out.append(f"{n} vụ việc quá hạn xử lý")
    weeks = max(1, int(thresholds["silent_questions_weeks"]))
    window = [fig, *earlier[: weeks - 1]]
    asked = sum(f["received.intent.question"] for f in window)
    answered = sum(f["answer.question.done"] + f["questions.answered"] for f in window)
    if asked and not answered and len(window) == weeks:
        out.append(f"không trả lời câu hỏi nào trong {weeks} tuần")
    if inactive:
        out.append(f"trang Zalo không hoạt động {int(thresholds['inactive_page_days'])} ngày")
    due = fig["clock.operational.due"]
    share = fig.share("clock.operational.in_time", "clock.operational.due")
    if (
        share is not None
        and due >= thresholds["ack_share_min_due"]
        and share < thresholds["ack_share"]
    ):
        out.append(f"chỉ {_pct(share)} tin được nhận xử lý đúng hạn")
    if score_value is not None and score_value < thresholds["low_score"]:
        out.append(f"điểm {score_value:.0f} dưới ngưỡng {thresholds['low_score']:.0f}")
    if open_reminders:
        out.append(f"{open_reminders} nhắc nhở chưa xác nhận")
    return out


# --- the league table -------------------------------------------------------------------------


@dataclass
class Row:
    unit: Unit
    figures: Figures
    score: float | None
    parts: dict[str, float | None]
    rank: int | None = None
    trend: list[float | None] = field(default_factory=list)  # previous weeks, oldest first
    delta: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def ack_p50(self) -> float | None:
        return self.figures.percentile("ack", 0.5)


@dataclass
class League:
    period: Period
    kind: str
    rows: list[Row]
    weights: dict[str, int]
    thresholds: dict[str, float]
    formula: str
    history: list[Period]
    table: Table

    @property
    def flagged(self) -> list[Row]:
        return [r for r in self.rows if r.flags]


def _data_version() -> tuple[int, int, int]:
    """Changes whenever anything a figure reads changes: every change to a case writes a
    timeline row (clock met, status, satisfaction…), new cases and follows get new ids."""
    return (
        Case.objects.aggregate(m=Max("id"))["m"] or 0,
        CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0,
        FollowEvent.objects.aggregate(m=Max("id"))["m"] or 0,
    )


def tables_for(period: Period, as_of: datetime, weeks: int) -> list[Table]:
    """The period's table and the `weeks - 1` before it, newest first.

    Earlier periods (trends) are kept an hour in the "monitoring" cache, keyed by the data
    version: the league page does not recompute four past weeks on every load."""
    cache = caches["monitoring"]
    version = _data_version()
    out, p = [compute_table(period, as_of)], period.previous()
    for _ in range(weeks - 1):
        stamp = f"{min(p.end, as_of).timestamp():.0f}"
        key = "table-" + "-".join([p.label, stamp, *map(str, version)])
        table = cache.get(key)
        if table is None:
            table = compute_table(p, as_of)
            if p.end <= as_of:
                cache.set(key, table, 3600)
        out.append(table)
        p = p.previous()
    return out


def league(
    period: Period,
    as_of: datetime,
    *,
    kind: str,
    history_weeks: int = 4,
    tables: list[Table] | None = None,
) -> League:
    """Units of one kind ranked by score (best first); ties share a rank."""
    weights, thresholds = current_settings()
    tables = tables or tables_for(period, as_of, history_weeks + 1)
    table = tables[0]
    units = sorted(
        (u for u in table.units.values() if u.kind == kind and _active(u)), key=lambda u: u.path
    )
    end = min(period.end, as_of)
    inactive = inactive_pages(units, end, int(thresholds["inactive_page_days"]))
    open_reminders = _open_reminders([u.pk for u in units])
    rows = []
    for unit in units:
        fig = table.of(unit)
        min_due = thresholds["min_due"]
        value = score(fig, weights, min_due)
        earlier = [t.of(unit) for t in tables[1:]]
        trend = [score(f, weights, min_due) for f in reversed(earlier)]
        row = Row(unit=unit, figures=fig, score=value, parts=components(fig), trend=trend)
        if value is not None and trend and trend[-1] is not None:
            row.delta = value - trend[-1]
        row.flags = flags_for(
            fig,
            score_value=value,
            earlier=earlier,
            thresholds=thresholds,
            inactive=unit.pk in inactive,
            open_reminders=open_reminders.get(unit.pk, 0),
        )
        rows.append(row)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.unit.path))
    rank, previous = 0, None
    for i, row in enumerate(rows, start=1):
        if row.score is None:
            continue
        if previous is None or round(row.score, 1) != previous:
            rank = i
        row.rank, previous = rank, round(row.score, 1)
    return League(
        period=period,
        kind=kind,
        rows=rows,
        weights=weights,
        thresholds=thresholds,
        formula=formula_text(weights),
        history=[t.period for t in reversed(tables[1:])],
        table=table,
    )


def _active(unit: Unit) -> bool:
    return bool(getattr(unit, "is_active", True))


def _open_reminders(unit_ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for unit_id in Reminder.objects.filter(
        Q(unit_id__in=unit_ids), acknowledged_at__isnull=True
    ).values_list("unit_id", flat=True):
        out[unit_id] = out.get(unit_id, 0) + 1
    return out


def _finite(x: float | None) -> float | None:
    return None if x is None or x == float("inf") else x


def row_summary(row: Row) -> dict[str, Any]:
    """What a reminder or a nomination keeps: the figures it was based on."""
    f = row.figures
    return {
        "score": None if row.score is None else round(row.score, 1),
        "rank": row.rank,
        "received": f["received"],
        "ack_p50_s": _finite(f.percentile("ack", 0.5)),
        "ack_in_time": row.parts["ack_in_time"],
        "legal_in_time": row.parts["legal_in_time"],
        "answered": row.parts["answered"],
        "open_end": f["open_end"],
        "overdue_end": f["overdue_end"],
        "detained": f["detained"],
        "satisfaction_mean": f.satisfaction_mean(),
        "flags": row.flags,
    }
