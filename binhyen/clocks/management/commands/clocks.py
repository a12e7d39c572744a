"""`binhyen clocks`: look at the working calendar and mark breached clocks by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from binhyen.clocks.services import calendar_load, clocks_due_breaches, rule_get
from binhyen.lib.clocks import DEFAULT_RULES


class Command(BaseCommand):
    help = "Clocks: `calendar YEAR` lists days off and worked weekends; `sweep` marks breaches."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cal = sub.add_parser("calendar", help="weekdays off and worked weekend days of a year")
        cal.add_argument("year", type=int)
        sub.add_parser("sweep", help="mark clocks past their deadline as breached, list them")
        sub.add_parser("rules", help="the rules in force, with their citations")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "calendar":
            for day, why in calendar_load().days_off(opts["year"]):
                self.stdout.write(f"{day:%a %d/%m/%Y}  {why}")
        elif action == "sweep":
            breached = clocks_due_breaches(timezone.now())
            for clock in breached:
                self.stdout.write(
                    f"{clock.case.code}  {clock.rule_code}  {clock.due_at:%d/%m %H:%M}"
                )
            self.stdout.write(f"{len(breached)} clock(s) newly breached.")
        else:
            for default in DEFAULT_RULES:
                rule = rule_get(default.code)
                flag = "" if rule.active else "  [off]"
                self.stdout.write(
                    f"{rule.code:<20} {rule.amount:>3} {rule.unit:<13} {rule.citation_vi}{flag}"
                )
