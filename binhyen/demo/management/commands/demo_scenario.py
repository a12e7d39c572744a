from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.core.worker import drain
from binhyen.demo import scenario


class Command(BaseCommand):
    help = (
        "Replay a demo scenario against the demo world. `kindergarten`: the pilot's night — a "
        "critical tip to the province page, routed, rung, acknowledged, dispatched, resolved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["kindergarten"])
        parser.add_argument(
            "--simulator",
            default=settings.SIMULATOR_URL or "",
            help="Zalo simulator URL (the running demo's); empty = in-process",
        )
        parser.add_argument(
            "--pause", type=float, default=4.0, help="seconds between steps, to watch the console"
        )

    def handle(self, *args: Any, **opts: Any) -> None:

        simulator = opts["simulator"] or None
        try:
            scenario.replay(
                simulator_url=simulator,
                pause=opts["pause"],
                out=self.stdout.write,
                drain=None if simulator else drain,
            )
        except Exception as exc:
            raise CommandError(str(exc)) from exc
