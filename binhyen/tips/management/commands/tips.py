"""`binhyen tips sweep`: delete expired throttle counters and purge what discarded tips held
(text, files, contact details) 30 days after they were discarded. Safe to run any time
(e.g. hourly from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from binhyen.tips import services, throttle


class Command(BaseCommand):
    help = "Public doors housekeeping: `sweep` expired counters and old discarded tips."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="delete expired counters, purge old discarded tips")

    def handle(self, *args: Any, **opts: Any) -> None:
        counters = throttle.purge_expired()
        purged = services.tips_purge()
        orphans = services.held_orphans_purge()
        self.stdout.write(
            f"counters deleted: {counters}; discarded tips purged: {purged}; "
            f"unreferenced held files deleted: {orphans}"
        )
