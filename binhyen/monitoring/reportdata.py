"""What a report shows, computed once per period and shared by every unit's report.

Computing the figures is the expensive part (a few grouped queries per period); rendering a
unit's spreadsheet and PDF from them is cheap. `ReportBook` holds the period's table, the
previous periods' tables (trends) and the league of every kind of unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from binhyen.cases.models import Category, Intent, Outcome, Urgency
from binhyen.monitoring import kpis, scoring
from binhyen.monitoring.models import AwardNomination, Reminder
from binhyen.monitoring.periods import Period
from binhyen.units.models import Unit

TREND_PERIODS = 8
CHANNEL_LABELS = {"zalo": "Zalo", "web": "Biểu mẫu web", "api": "API", "other": "Khác"}
INTENT_LABELS = {k: str(v) for k, v in Intent.choices}
CATEGORY_LABELS = {k: str(v) for k, v in Category.choices}
URGENCY_LABELS = {k: str(v) for k, v in Urgency.choices}
OUTCOME_LABELS = {k: str(v) for k, v in Outcome.choices}


@dataclass
class ReportBook:
    period: Period
    as_of: datetime
    tables: list[kpis.Table]  # newest first: the period, then the ones before it
    leagues: dict[str, scoring.League] = field(default_factory=dict)

    @property
    def table(self) -> kpis.Table:
        return self.tables[0]

    @property
    def units(self) -> dict[int, Unit]:
        return self.table.units

    def trend(self, unit: Unit) -> list[tuple[Period, kpis.Figures]]:
        """Oldest first."""
        return [(t.period, t.of(unit)) for t in reversed(self.tables)]

    def row(self, unit: Unit) -> scoring.Row | None:
        league = self.leagues.get(unit.kind)
        if league is None:
            return None
        return next((r for r in league.rows if r.unit.pk == unit.pk), None)

    def ranking_for(self, unit: Unit) -> tuple[str, list[scoring.Row]]:
        """The league a unit's report shows: the communes for the province, the unit's own
        kind otherwise."""
        kind = Unit.Kind.COMMUNE if unit.kind == Unit.Kind.PROVINCE else unit.kind
        league = self.leagues.get(kind)
        rows = (
            [r for r in league.rows if r.unit.path.startswith(self._root_path(unit))]
            if (league)
            else []
        )
        return kind, rows

    def _root_path(self, unit: Unit) -> str:
        # A unit's report ranks it among every unit of its kind in the province.
        parts = [p for p in unit.path.strip("/").split("/") if p]
        return f"/{parts[0]}/" if parts else "/"

    def reminders(self, unit: Unit) -> list[Reminder]:
        return list(
            Reminder.objects.filter(
                unit__path__startswith=unit.path,
                sent_at__gte=self.period.start,
                sent_at__lt=self.period.end,
            )
            .select_related("unit", "sent_by", "acknowledged_by")
            .order_by("sent_at")
        )

    def awards(self, unit: Unit) -> list[AwardNomination]:
        return list(
            AwardNomination.objects.filter(
                unit__path__startswith=unit.path,
                withdrawn_at__isnull=True,
                period_start__gte=self.period.start,
                period_end__lte=self.period.end,
            )
            .select_related("unit", "officer", "nominated_by")
            .order_by("unit__path", "nominated_at")
        )


def build_book(
    period: Period, as_of: datetime, *, trend_periods: int = TREND_PERIODS
) -> ReportBook:
    tables = scoring.tables_for(period, as_of, trend_periods)
    book = ReportBook(period=period, as_of=as_of, tables=tables)
    kinds = {u.kind for u in book.units.values()}
    for kind in sorted(kinds):
        book.leagues[kind] = scoring.league(
            period, as_of, kind=kind, history_weeks=min(4, trend_periods - 1), tables=tables
        )
    return book


def report_units(book: ReportBook) -> list[Unit]:
    """Every active unit, the province first (the order of the CLI's lines)."""
    return sorted(
        (u for u in book.units.values() if getattr(u, "is_active", True)), key=lambda u: u.path
    )


def breakdown(fig: kpis.Figures, prefix: str, labels: dict[str, str]) -> list[tuple[str, int]]:
    out = [(label, fig[f"{prefix}.{code}"]) for code, label in labels.items()]
    return [(label, n) for label, n in out if n]
