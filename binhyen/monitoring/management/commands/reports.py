"""`binhyen reports weekly --week 2026-W47 --out DIR`: the province's and every unit's
spreadsheet and PDF for an ISO week, one line per file written.

`binhyen reports period --period 2026-11 --out DIR` does the same for any period (month,
quarter, range of days)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.monitoring.periods import PeriodError, parse_period
from binhyen.monitoring.reports import write_all


class Command(BaseCommand):
    help = "Write the weekly (or any period's) reports of every unit as XLSX and PDF files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        weekly = sub.add_parser("weekly", help="an ISO week, e.g. 2026-W47")
        weekly.add_argument("--week", required=True)
        weekly.add_argument("--out", required=True)
        period = sub.add_parser(
            "period", help="2026-W47, 2026-11, 2026-Q4 or 2026-11-01..2026-11-30"
        )
        period.add_argument("--period", required=True)
        period.add_argument("--out", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        raw = opts["week"] if opts["action"] == "weekly" else opts["period"]
        try:
            period = parse_period(raw)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        if opts["action"] == "weekly" and period.kind != "week":
            raise CommandError(f"--week expects an ISO week such as 2026-W47, not “{raw}”.")
        write_all(period, Path(opts["out"]), echo=self.stdout.write)
