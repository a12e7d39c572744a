from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from binhyen.core import worker


class Command(BaseCommand):
    help = (
        "Run a background worker (several may run against one PostgreSQL database). "
        "By default it does everything; lanes split the work: e.g. "
        "`worker --queues outbound --no-inbound --no-periodic` only talks to other servers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.WORKER_POLL_SECONDS,
            help="seconds between queue polls when idle (default 0.2)",
        )
        parser.add_argument(
            "--tick", type=float, default=15.0, help="seconds between periodic jobs (default 15)"
        )
        parser.add_argument(
            "--queues", default="", help="comma-separated task queues (default: all)"
        )
        parser.add_argument(
            "--no-inbound", action="store_true", help="do not process inbound events"
        )
        parser.add_argument(
            "--no-periodic", action="store_true", help="do not run the periodic jobs"
        )
        parser.add_argument("--drain", action="store_true", help="do all ready work once and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["drain"]:
            worker.run_periodic_once()
            n = worker.drain(raise_errors=False)
            self.stdout.write(f"did {n} units of work")
            return
        queues = {q.strip() for q in opts["queues"].split(",") if q.strip()} or None
        worker.run(
            interval=opts["interval"],
            tick=None if opts["no_periodic"] else opts["tick"],
            queues=queues,
            loop_jobs=not opts["no_inbound"],
        )
