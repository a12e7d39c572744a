"""`binhyen demo-history --weeks 12`: load weeks of realistic past work into the configured
database (the demo world first, if it is not there yet)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.demo.history import load_history


class Command(BaseCommand):
    help = "Load a realistic generated history (every unit, channel and outcome) for the demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **opts: Any) -> None:
        weeks = opts["weeks"]
        if not 1 <= weeks <= 104:
            raise CommandError("--weeks must be between 1 and 104.")
        started = time.monotonic()
        stats = load_history(weeks=weeks, seed=opts["seed"])
        self.stdout.write(
            f"History of {stats.weeks} weeks loaded in {time.monotonic() - started:.0f} s: "
            f"{stats.units} units, {stats.cases} cases, {stats.follows} follows and unfollows, "
            f"{stats.surveys} satisfaction answers."
        )
