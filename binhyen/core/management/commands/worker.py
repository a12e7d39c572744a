from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from binhyen.core import worker


class Command(BaseCommand):
    help = "Run a background worker (several may run against one PostgreSQL database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="seconds between queue polls when idle (default 0.2)",
        )
        parser.add_argument(
            "--tick", type=float, default=15.0, help="seconds between periodic jobs (default 15)"
        )
        parser.add_argument(
            "--drain", action="store_true", help="run every ready task once and exit"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["drain"]:
            worker.run_periodic_once()
            n = worker.drain(raise_errors=False)
            self.stdout.write(f"did {n} units of work")
            return
        worker.run(interval=opts["interval"], tick=opts["tick"])
