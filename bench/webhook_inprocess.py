"""CPU per webhook in one process, without HTTP: BinhYen's WSGI application against the bare
reference (`bench/bare_django/`), each called directly with the same signed events.

What `bench/webhook_load.py` measures under gunicorn, minus gunicorn, the client and the
machine's other load: a steadier figure to judge a change of the webhook's own code by, and
a profile (`--profile N`: the N costliest functions by cumulative time).

    .venv/bin/python bench/webhook_inprocess.py                     # SQLite, both apps
    .venv/bin/python bench/webhook_inprocess.py --database postgres --pg-url postgres://…/binhyen_x
    .venv/bin/python bench/webhook_inprocess.py --app binhyen --profile 40

Each app runs in its own process on a fresh database (SQLite files in a temporary directory;
PostgreSQL `<name>_inproc` and `<name>_inproc_bare`, dropped at the end). Prints µs of CPU
per webhook (`time.process_time`, median of `--repeats` passes of `--n` events) and the
garbage collector's time.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PY = sys.executable


def _environ(raw: bytes, sig: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/webhooks/zalo/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_X_ZEVENT_SIGNATURE": sig,
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def child(args: argparse.Namespace) -> None:
    import django

    insert_time = [0.0, 0.0, 0]

    django.setup()
    if args.app == "binhyen":
        from django.conf import settings
        from django.core.management import call_command

        for alias in settings.DATABASES:
            call_command("migrate", database=alias, verbosity=0)
        from binhyen.channels.zalo.signature import signature_header
        from binhyen.testing import make_world, secret_of

        world = make_world()
        page = world.bmt_page
        secret = secret_of(page)
        app_id, oa_id = page.app_id, page.external_id
        from binhyen.core import gunicorn_conf
        from binhyen.wsgi import application

        gunicorn_conf.post_worker_init(None)  # as a gunicorn worker of `binhyen serve`
        if args.time_insert:
            from binhyen.channels.zalo import webhook

            real_insert = webhook._insert

            def timed_insert(*a: Any) -> bool:
                c0, w0 = time.process_time(), time.perf_counter()
                try:
                    return real_insert(*a)
                finally:
                    insert_time[0] += time.process_time() - c0
                    insert_time[1] += time.perf_counter() - w0
                    insert_time[2] += 1

            webhook._insert = timed_insert
    else:
        from bare_django.urls import create_table
        from bare_django.wsgi import application
        from binhyen_signature import signature_header  # type: ignore[import-not-found]

        create_table()
        secret, app_id, oa_id = "s3cret", "1234567890", "2345678901234524133"
        gc.collect()
        gc.freeze()

    def event(i: int) -> tuple[bytes, str]:
        ts = str(int(time.time() * 1000))
        payload = {
            "app_id": app_id,
            "event_name": "user_send_text",
            "sender": {"id": str(7_000_000_000_000_000_000 + i)},
            "recipient": {"id": oa_id},
            "user_id_by_app": str(8_000_000 + i),
            "message": {"msg_id": secrets.token_hex(16), "text": f"Tin báo thử số {i}"},
            "timestamp": ts,
        }
        raw = json.dumps(payload, ensure_ascii=False).encode()
        sig = signature_header(app_id=app_id, raw_body=raw, timestamp=ts, oa_secret_key=secret)
        return raw, sig

    def status(line: str, headers: Any) -> None:
        if not line.startswith("200"):
            raise SystemExit(f"webhook answered {line}")

    def call(raw: bytes, sig: str) -> None:
        result = application(_environ(raw, sig), status)
        b"".join(result)
        close = getattr(result, "close", None)
        if close:
            close()

    for raw, sig in [event(i) for i in range(48)]:
        call(raw, sig)
    gc_time = [0.0]
    gc_start = [0.0]

    def gc_cb(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        else:
            gc_time[0] += time.perf_counter() - gc_start[0]

    from django.db import connections

    backend_pid = None
    conn = connections["inbox" if "inbox" in connections else "default"]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]

    def backend_ticks() -> int:
        if backend_pid is None:
            return 0
        with open(f"/proc/{backend_pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    server_ticks = backend_ticks()
    gc.callbacks.append(gc_cb)
    per_event = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for rep in range(args.repeats):
        events = [event(1000 + rep * args.n + i) for i in range(args.n)]
        if profiler and rep == args.repeats - 1:
            profiler.enable()
        t0 = time.process_time()
        for raw, sig in events:
            call(raw, sig)
        per_event.append((time.process_time() - t0) / args.n * 1e6)
        if profiler and rep == args.repeats - 1:
            profiler.disable()
    gc.callbacks.remove(gc_cb)
    server_ticks = backend_ticks() - server_ticks
    print(
        "RESULT "
        + json.dumps(
            {
                "app": args.app,
                "us": statistics.median(per_event),
                "passes": per_event,
                "gc_ms": gc_time[0] * 1000 / args.repeats,
                "server_us": server_ticks
                / os.sysconf("SC_CLK_TCK")
                / (args.n * args.repeats)
                * 1e6,
                "insert_us": [x / max(insert_time[2], 1) * 1e6 for x in insert_time[:2]],
            }
        )
    )
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", default="bare,binhyen", help="bare, binhyen or both (in order)")
    ap.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/binhyen_bench_inproc")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    ap.add_argument(
        "--time-insert", action="store_true", help="BinhYen: CPU and wall time of the INSERT"
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    tmp = tempfile.mkdtemp(prefix="binhyen-inproc-")
    base, _, name = args.pg_url.rpartition("/")
    created: list[str] = []
    try:
        for app in args.app.split(","):
            env = os.environ.copy()
            env.pop("BINHYEN_INBOX_DATABASE", None)
            env.setdefault("BINHYEN_ENV", "demo")
            env["BINHYEN_VAR_DIR"] = tmp
            db = f"{name}_inproc" + ("_bare" if app == "bare" else "")
            if args.database == "postgres":
                import psycopg

                with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {db}")  # type: ignore[arg-type]
                    conn.execute(f"CREATE DATABASE {db}")  # type: ignore[arg-type]
                created.append(db)
                url = f"{base}/{db}"
            else:
                url = f"sqlite:///{tmp}/{db}.sqlite3"
            if app == "bare":
                env["DJANGO_SETTINGS_MODULE"] = "bare_django.settings"
                env["BARE_DATABASE_URL"] = url
                # the signature helper without importing BinhYen's settings
                shim = Path(tmp) / "binhyen_signature.py"
                shutil.copyfile(BENCH.parent / "binhyen/channels/zalo/signature.py", shim)
                env["PYTHONPATH"] = os.pathsep.join([str(BENCH), tmp])
            else:
                env["DJANGO_SETTINGS_MODULE"] = "binhyen.settings"
                env["DATABASE_URL"] = url
            cmd = [PY, __file__, "--child", "--app", app, "--n", str(args.n)]
            cmd += ["--repeats", str(args.repeats), "--profile", str(args.profile)]
            cmd += ["--time-insert"] if args.time_insert else []
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(out.stdout[-3000:], out.stderr[-3000:])
                sys.exit(f"{app} failed")
            r = json.loads(line[7:])
            passes = " ".join(f"{x:.0f}" for x in r["passes"])
            print(
                f"{app:8} {args.database:8}: {r['us']:6.0f} µs CPU per webhook "
                f"(passes: {passes})   GC {r['gc_ms']:.1f} ms per {args.n}"
            )
            if args.database == "postgres":
                print(f"         its PostgreSQL backend: {r['server_us']:.0f} µs CPU per webhook")
            if args.time_insert and app == "binhyen":
                cpu, wall = r["insert_us"]
                print(f"         the INSERT: {cpu:.0f} µs CPU, {wall:.0f} µs wall")
            if args.profile:
                print(out.stdout.split(line, 1)[1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if created:
            import psycopg

            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                for db in created:
                    conn.execute(f"DROP DATABASE IF EXISTS {db}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
