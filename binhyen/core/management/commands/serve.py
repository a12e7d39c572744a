"""`binhyen serve`: the web server (gunicorn, sync workers), the live server (uvicorn,
Server-Sent Events) and the background worker.

WSGI for pages and webhooks: on this hardware Django under gunicorn's sync workers
answers 4-6x more requests than under ASGI (docs/architecture.md). The live server holds
the long-lived streams on --live-port (default: --port + 1); pages open it on the same
host name, so the session cookie is shared (docs/live.md). The worker runs as another
process; with --simulator, the Zalo simulator runs as one more.

The worker lanes run at a lower CPU priority (`BINHYEN_WORKER_NICE`, default 10, or
--worker-nice): on a small machine intake must win the cores. A webhook has Zalo's 2 s
limit and costs one INSERT; processing has a queue and catches up when the burst ends
(docs/benchmarks.md, "Webhook intake").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from binhyen.core import gunicorn_conf
from binhyen.triage import engine


def lowered_priority(increment: int) -> Callable[[], None] | None:
    """What a child runs before exec to lower its CPU priority by `increment` (None: keep)."""
    if increment <= 0:
        return None

    def apply() -> None:
        # Niceness is inherited across exec: the lane and everything it starts run lower.
        os.nice(increment)

    return apply


def lane_popen(cmd: list[str], env: dict[str, str], nice: int) -> subprocess.Popen[bytes]:
    """Start a background worker lane `nice` steps below this process's priority."""
    # serve is single-threaded when it starts its children: preexec_fn is safe here.
    return subprocess.Popen(cmd, env=env, preexec_fn=lowered_priority(nice))


class Command(BaseCommand):
    help = (
        "Serve BinhYen: web server + live server + background worker "
        "(+ the Zalo simulator for demos)."
    )

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
        parser.add_argument(
            "--live-port",
            type=int,
            default=None,
            help="port of the live server (default: --port + 1)",
        )
        parser.add_argument(
            "--no-live", action="store_true", help="no live server (run `binhyen live` elsewhere)"
        )
        parser.add_argument(
            "--worker-nice",
            type=int,
            default=settings.WORKER_NICE,
            help="lower the worker lanes' CPU priority by this much, 0-19 "
            "(default: BINHYEN_WORKER_NICE, 10)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        lane_nice = max(0, min(19, opts["worker_nice"]))
        # The triage model before anything accepts work: built now (seconds) rather than
        # trained by the worker on the first tip after a deploy.
        if engine.default_model_ensure():
            self.stdout.write("Built the default triage model.")
        py = sys.executable
        env = os.environ.copy()
        procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        live_port = opts["live_port"] or opts["port"] + 1
        live_cmd = [
            py,
            "-m",
            "binhyen.cli",
            "live",
            "--host",
            opts["host"],
            "--port",
            str(live_port),
        ]
        if not opts["no_live"]:
            # Pages open the stream on their own host name at this port (works for
            # 127.0.0.1, localhost and a LAN address a phone uses alike).
            env.setdefault("BINHYEN_LIVE_URL", f":{live_port}/live/stream")
            procs.append(("live", subprocess.Popen(live_cmd, env=env)))
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
                            # The phones keep their history across a restart of the demo.
                            "--state",
                            str(settings.VAR_DIR / "simulator-state.json"),
                        ],
                        env=env,
                    ),
                )
            )
        # Two worker lanes: one applies what citizens send and runs the clocks, the other
        # talks to Zalo; a slow or unreachable Zalo never delays the first.
        restartable = {
            "worker": [py, "-m", "binhyen.cli", "worker", "--queues", "default"],
            "sender": [
                py,
                "-m",
                "binhyen.cli",
                "worker",
                "--queues",
                "outbound",
                "--no-inbound",
                "--no-periodic",
            ],
            # Reports (charts, PDFs) take minutes on Monday morning: their own lane.
            "reporter": [
                py,
                "-m",
                "binhyen.cli",
                "worker",
                "--queues",
                "reports",
                "--no-inbound",
                "--no-periodic",
            ],
            "live": live_cmd,
        }
        lanes = ("worker", "sender", "reporter")
        if not opts["no_worker"]:
            for name in lanes:
                procs.append((name, lane_popen(restartable[name], env, lane_nice)))
        procs.append(
            (
                "web",
                subprocess.Popen(
                    [
                        py,
                        "-m",
                        "gunicorn",
                        "binhyen.wsgi:application",
                        "--config",
                        "python:binhyen.core.gunicorn_conf",
                        "--bind",
                        f"{opts['host']}:{opts['port']}",
                        "--workers",
                        str(opts["workers"]),
                        *gunicorn_conf.SYNC_FLAGS,
                        "--access-logfile",
                        "-" if settings.DEBUG else "/dev/null",
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
        if not opts["no_live"]:
            self.stdout.write(f"Live alerts on http://{opts['host']}:{live_port}/live/stream")
        try:
            while not stopping:
                for name, proc in procs:
                    code = proc.poll()
                    if code is not None:
                        if name in restartable and not stopping:
                            # Stateless (work stays in the database, browsers reconnect
                            # and catch up): restart rather than stop serving.
                            self.stderr.write(f"{name} exited ({code}); restarting")
                            idx = [n for n, _ in procs].index(name)
                            procs[idx] = (
                                name,
                                lane_popen(restartable[name], env, lane_nice)
                                if name in lanes
                                else subprocess.Popen(restartable[name], env=env),
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
