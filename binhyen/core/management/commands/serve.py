"""`binhyen serve`: the web server (gunicorn, sync workers) and the background worker.

WSGI for pages and webhooks: on this hardware Django under gunicorn's sync workers
answers 4-6x more requests than under ASGI (docs/architecture.md). The worker runs as a
second process; with --simulator, the Zalo simulator runs as a third.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve BinhYen: web server + background worker (+ the Zalo simulator for demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )
        parser.add_argument("--no-worker", action="store_true", help="web server only")
        parser.add_argument(
            "--simulator", action="store_true", help="also run the Zalo simulator (demo)"
        )
        parser.add_argument("--simulator-port", type=int, default=8090)

    def handle(self, *args: Any, **opts: Any) -> None:
        py = sys.executable
        env = os.environ.copy()
        procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        if opts["simulator"]:
            pages = settings.VAR_DIR / "simulator-pages.json"
            procs.append(
                (
                    "simulator",
                    subprocess.Popen(
                        [
                            py,
                            "-m",
                            "binhyen.simulator.server",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            str(opts["simulator_port"]),
                            "--pages",
                            str(pages),
                            "--webhook-url",
                            f"http://127.0.0.1:{opts['port']}/webhooks/zalo/",
                        ],
                        env=env,
                    ),
                )
            )
        if not opts["no_worker"]:
            procs.append(("worker", subprocess.Popen([py, "-m", "binhyen.cli", "worker"], env=env)))
        procs.append(
            (
                "web",
                subprocess.Popen(
                    [
                        py,
                        "-m",
                        "gunicorn",
                        "binhyen.wsgi:application",
                        "--bind",
                        f"{opts['host']}:{opts['port']}",
                        "--workers",
                        str(opts["workers"]),
                        "--worker-class",
                        "sync",
                        "--timeout",
                        "30",
                        "--graceful-timeout",
                        "10",
                        "--max-requests",
                        "5000",
                        "--max-requests-jitter",
                        "500",
                        "--access-logfile",
                        "-" if settings.DEBUG else "/dev/null",
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                ),
            )
        )

        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"BinhYen serving on http://{opts['host']}:{opts['port']}/")
        try:
            while not stopping:
                for name, proc in procs:
                    code = proc.poll()
                    if code is not None:
                        if name == "worker" and not stopping:
                            # The worker is stateless: restart it rather than stop serving.
                            self.stderr.write(f"worker exited ({code}); restarting")
                            idx = [n for n, _ in procs].index("worker")
                            procs[idx] = (
                                "worker",
                                subprocess.Popen([py, "-m", "binhyen.cli", "worker"], env=env),
                            )
                        else:
                            self.stderr.write(f"{name} exited ({code}); stopping")
                            stopping = True
                time.sleep(0.5)
        finally:
            for _name, proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 12
            for _name, proc in procs:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
