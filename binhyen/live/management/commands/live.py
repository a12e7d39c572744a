"""`binhyen live`: the live server alone (uvicorn), for deployments that scale it apart
from the web servers. Put it behind the same origin as the console (a proxy routing
/live/ here) or set BINHYEN_LIVE_URL for the web processes (docs/live.md)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the live alert stream (/live/stream, Server-Sent Events) with uvicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes; each holds its own streams (PostgreSQL or "
            "the UNIX-socket transport reaches all of them)",
        )
        parser.add_argument("--log-level", default="warning")

    def handle(self, *args: Any, **opts: Any) -> None:
        # deferred: the ASGI server loads only in the live process
        import uvicorn

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
        uvicorn.run(
            "binhyen.live.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"],
            lifespan="on",
            access_log=False,
            log_level=opts["log_level"],
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=2,
            backlog=4096,
        )
