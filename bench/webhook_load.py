"""Webhook ingest benchmark: signed Zalo events against a bare Django view that stores one row,
against `binhyen serve` with its web processes alone, and against the whole `binhyen serve`
with its worker lanes processing, on SQLite and PostgreSQL, in one invocation.

For each database the demo world is migrated and loaded once, then every phase runs on a
fresh copy of it (SQLite files copied, PostgreSQL `CREATE DATABASE … TEMPLATE`):

- `bare`: the reference, `bench/bare_django/` under the same gunicorn (same sync workers and
  flags as `binhyen serve`): one view that reads the body, parses the JSON and INSERTs the raw
  payload with a unique provider key (duplicates ignored) into a fresh database — a new
  SQLite file in WAL mode like BinhYen's inbox, or a new PostgreSQL database — and answers
  200 JSON. No signature check, no middleware, no models: the least a correct webhook does;
- `web`: `binhyen serve --no-worker` (gunicorn + the idle live server): intake alone;
- `serve`: the full `binhyen serve` (gunicorn, the worker lanes, the live server): intake
  while every accepted event is being processed on the same cores.

Phases alternate within each round (bare, web, serve, bare, web, serve, … `--rounds`;
`--phases` picks and orders them), so a change of the machine's load shows in all three.
Every phase gets the same client, URL and signed payloads. Each phase sends `--n` signed
`user_send_text` events of new citizens from `--concurrency` client threads and prints
events/s, acknowledgement p50/p99, events lost (acknowledged but not stored: must be 0),
events processed while the burst ran, the CPU seconds the web workers and worker lanes got
during the burst, and the peak resident memory of each process kind. The summary prints,
per round, the web / bare and serve / web ratios.

    .venv/bin/python bench/webhook_load.py                        # SQLite and PostgreSQL
    .venv/bin/python bench/webhook_load.py --databases sqlite
    .venv/bin/python bench/webhook_load.py --pg-url postgres://postgres@127.0.0.1:5432/binhyen_bench_webhook
    .venv/bin/python bench/webhook_load.py --paced 100            # + webhook -> message in case

The PostgreSQL databases `<name>_tpl`, `<name>_p<i>`, `<name>_bare<i>` are dropped and
re-created, and dropped again at the end.
Replies (the automatic acknowledgements) go to a closed local port: the bench never reaches
the network.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_fanout import calibration_us  # noqa: E402  (16 µs = this machine idle)

from binhyen.core.gunicorn_conf import SYNC_FLAGS  # noqa: E402

PY = sys.executable
BENCH = Path(__file__).resolve().parent
# The gunicorn flags of `binhyen serve`, given to the bare reference too; `binhyen serve`
# adds `--bind`, `--workers` and its worker hook the same way.
GUNICORN_FLAGS = [*SYNC_FLAGS, "--access-logfile", "/dev/null"]
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


# --- processes --------------------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, str, int, int, int]]:
    """pid -> (ppid, command line, rss bytes, cpu ticks, nice) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ppid = int(fields[1])
        ticks = int(fields[11]) + int(fields[12])
        nice = int(fields[16])
        rss = int(fields[21]) * PAGE
        table[int(entry)] = (ppid, cmd, rss, ticks, nice)
    return table


def _kind(cmd: str, parent_cmd: str) -> str:
    if "gunicorn" in cmd:
        return "web worker" if "gunicorn" in parent_cmd else "web master"
    if "binhyen.cli worker" in cmd:
        for queue in ("default", "outbound", "reports"):
            if f"--queues {queue}" in cmd:
                return f"lane {queue}"
        return "lane"
    if "binhyen.cli live" in cmd:
        return "live server"
    if "binhyen.cli serve" in cmd:
        return "serve (supervisor)"
    return "other"


def descendants(root: int) -> dict[int, tuple[str, int, int, int]]:
    """pid -> (kind, rss, cpu ticks, nice) of `root` and everything under it."""
    table = _proc_table()
    out: dict[int, tuple[str, int, int, int]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid not in table:
            continue
        ppid, cmd, rss, ticks, nice = table[pid]
        parent_cmd = table.get(ppid, (0, "", 0, 0, 0))[1]
        out[pid] = (_kind(cmd, parent_cmd), rss, ticks, nice)
        todo.extend(p for p, row in table.items() if row[0] == pid)
    return out


# --- one phase (its own process, its own database) --------------------------------------------


def run_phase(args: argparse.Namespace) -> None:
    mode = args.phase
    env = os.environ.copy()
    port = args.port
    url = f"http://127.0.0.1:{port}"
    if mode == "bare":
        env["DJANGO_SETTINGS_MODULE"] = "bare_django.settings"
        env["PYTHONPATH"] = os.pathsep.join([str(BENCH), env.get("PYTHONPATH", "")]).strip(
            os.pathsep
        )
        setup = "import django; django.setup(); from bare_django.urls import create_table; "
        subprocess.run([PY, "-c", setup + "create_table()"], env=env, check=True)
        cmd = [PY, "-m", "gunicorn", "bare_django.wsgi:application"]
        cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        cmd += GUNICORN_FLAGS
    else:
        cmd = [PY, "-m", "binhyen.cli", "serve", "--port", str(port)]
        cmd += ["--workers", str(args.workers), "--live-port", str(port + 1)]
        if mode == "web":
            cmd.append("--no-worker")
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            sys.exit(f"{mode} server did not become ready")
        result = _load(args, url, server.pid, mode)
    finally:
        _stop(server)
    print("RESULT " + json.dumps(result))


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's whole process group, SIGKILL what is left after 30 s."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)  # stragglers of the group, if any
    server.wait()


def _bare_stored(keys: list[str]) -> int:
    """How many of `keys` the bare reference stored (its own database, not Django's)."""
    url = os.environ["BARE_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        mark = "?"
    else:
        import psycopg

        conn = psycopg.connect(url)
        mark = "%s"
    try:
        stored = 0
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            sql = (
                f"SELECT COUNT(*) FROM bare_inbound WHERE key IN ({','.join([mark] * len(chunk))})"
            )
            stored += conn.execute(sql, chunk).fetchone()[0]
        return stored
    finally:
        conn.close()


def _load(args: argparse.Namespace, url: str, server_pid: int, mode: str) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
    import django

    django.setup()
    from django.db import connections

    from binhyen.cases.models import Message
    from binhyen.channels.models import ChannelAccount, InboundEvent
    from binhyen.channels.zalo.signature import signature_header

    pages = list(ChannelAccount.objects.filter(provider="zalo", is_active=True)[:50])
    if not pages:
        sys.exit("no Zalo pages: the demo world was not loaded")

    def body(i: int, text: str, base: int) -> tuple[str, bytes, str]:
        page = pages[i % len(pages)]
        msg_id = secrets.token_hex(16)
        payload = {
            "app_id": page.app_id,
            "event_name": "user_send_text",
            "sender": {"id": str(base + i)},
            "recipient": {"id": page.external_id},
            "user_id_by_app": str(8_000_000 + i),
            "message": {"msg_id": msg_id, "text": text},
            "timestamp": str(int(time.time() * 1000)),
        }
        raw = json.dumps(payload, ensure_ascii=False).encode()
        sig = signature_header(
            app_id=page.app_id,
            raw_body=raw,
            timestamp=payload["timestamp"],
            oa_secret_key=page.oa_secret_key,
        )
        return msg_id, raw, sig

    warm = [body(i, f"Tin khởi động số {i}", 5_000_000_000_000_000_000) for i in range(48)]
    burst = [
        body(i, f"Tin báo thử tải số {i} ở phường Tân Lợi", 7_000_000_000_000_000_000)
        for i in range(args.n)
    ]

    acked: list[str] = []
    ack_ms: list[float] = []
    errors = 0
    lock = threading.Lock()

    def send(items: list[tuple[str, bytes, str]], record: bool) -> None:
        cursor = iter(range(len(items)))

        def worker() -> None:
            nonlocal errors
            with httpx.Client(timeout=10) as client:
                while True:
                    with lock:
                        i = next(cursor, None)
                    if i is None:
                        return
                    msg_id, raw, sig = items[i]
                    t0 = time.perf_counter()
                    try:
                        r = client.post(
                            url + "/webhooks/zalo/",
                            content=raw,
                            headers={
                                "X-ZEvent-Signature": sig,
                                "Content-Type": "application/json",
                            },
                        )
                        ok = r.status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    t1 = time.perf_counter()
                    with lock:
                        if ok:
                            acked.append(msg_id)
                            if record:
                                ack_ms.append((t1 - t0) * 1000)
                        else:
                            errors += 1

        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # Warm-up: every gunicorn worker imports its views and opens its connection; with the
    # lanes running, the burst starts once they have processed the warm-up events (started,
    # model loaded: the burst then competes with lanes that are really working).
    before_warm = Message.objects.count()
    send(warm, record=False)
    if mode == "serve":
        deadline = time.monotonic() + 180
        while Message.objects.count() < before_warm + len(warm) and time.monotonic() < deadline:
            time.sleep(0.5)
    else:
        time.sleep(1.0)

    peak: dict[int, tuple[str, int, int]] = {}
    cpu_start = {pid: row[2] for pid, row in descendants(server_pid).items()}
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.is_set():
            for pid, (kind, rss, _ticks, nice) in descendants(server_pid).items():
                if rss > peak.get(pid, ("", 0, 0))[1]:
                    peak[pid] = (kind, rss, nice)
            stop_sampling.wait(0.25)

    sampler = threading.Thread(target=sample)
    sampler.start()
    processed_before = Message.objects.count()
    client_cpu = time.process_time()
    started = time.perf_counter()
    send(burst, record=True)
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    processed_during = Message.objects.count() - processed_before
    after = descendants(server_pid)
    stop_sampling.set()
    sampler.join()

    lane_cpu = sum(
        (row[2] - cpu_start.get(pid, 0)) / TICKS
        for pid, row in after.items()
        if row[0].startswith("lane")
    )
    web_cpu = sum(
        (row[2] - cpu_start.get(pid, 0)) / TICKS
        for pid, row in after.items()
        if row[0].startswith("web")
    )
    # Lost = acknowledged (200) but not stored.
    keys = [f"user_send_text:{m}" for m in acked]
    stored = 0
    if mode == "bare":
        stored = _bare_stored(keys)
    else:
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            stored += InboundEvent.objects.filter(provider="zalo", key__in=chunk).count()
    pss: dict[str, float] = {}
    for pid, row in after.items():
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss[row[0]] = pss.get(row[0], 0.0) + int(line.split()[1]) / 1024
        except OSError:
            pass
    memory: dict[str, list[float]] = {}
    nices: dict[str, int] = {}
    for kind, rss, nice in peak.values():
        memory.setdefault(kind, []).append(rss / 2**20)
        nices[kind] = nice
    result: dict[str, Any] = {
        "mode": mode,
        "database": connections["default"].vendor,
        "n": args.n,
        "accepted": len(ack_ms),
        "errors": errors,
        "rate": len(ack_ms) / elapsed,
        "p50": pct(ack_ms, 50),
        "p99": pct(ack_ms, 99),
        "lost": len(acked) - stored,
        "processed_during": processed_during,
        "lane_cpu_s": lane_cpu,
        "web_cpu_s": web_cpu,
        "wall_s": elapsed,
        "client_cpu_s": client_cpu,
        "memory_mb": memory,
        "pss_mb": pss,
        "nice": nices,
        "load": os.getloadavg()[0],
    }
    if args.paced and mode == "serve":
        paced_sent: dict[str, float] = {}
        with httpx.Client(timeout=10) as client:
            for i in range(args.paced):
                msg_id, raw, sig = body(i, f"Tin báo nhịp đều số {i}", 6_000_000_000_000_000_000)
                paced_sent[msg_id] = time.time()
                client.post(
                    url + "/webhooks/zalo/", content=raw, headers={"X-ZEvent-Signature": sig}
                )
                time.sleep(1 / args.rate)
        deadline = time.time() + 120
        got: dict[str, float] = {}
        while time.time() < deadline and len(got) < len(paced_sent):
            for pid, created in Message.objects.filter(
                provider_message_id__in=list(paced_sent)
            ).values_list("provider_message_id", "created_at"):
                got[pid] = created.timestamp()
            time.sleep(0.3)
        lat = [(got[m] - paced_sent[m]) * 1000 for m in got]
        result["paced"] = {"p50": pct(lat, 50), "p99": pct(lat, 99), "stored": len(got)}
    connections.close_all()
    return result


# --- the driver -------------------------------------------------------------------------------


def _base_env(var_dir: str) -> dict[str, str]:
    env = os.environ.copy()
    env.setdefault("BINHYEN_ENV", "demo")
    env["BINHYEN_VAR_DIR"] = var_dir
    env.setdefault("ZALO_OPENAPI_URL", "http://127.0.0.1:9")
    env.setdefault("ZALO_OAUTH_URL", "http://127.0.0.1:9")
    env.setdefault("BINHYEN_HTTP_CONNECT_RETRIES", "0")
    env.pop("BINHYEN_INBOX_DATABASE", None)
    return env


def _psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


class Database:
    """A migrated demo world and fresh copies of it."""

    def __init__(self, kind: str, tmp: str, pg_url: str) -> None:
        self.kind = kind
        self.var_dir = os.path.join(tmp, kind)
        os.makedirs(self.var_dir, exist_ok=True)
        self.pg_base, _, self.pg_name = pg_url.rpartition("/")
        self.copies: list[str] = []

    def url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.var_dir}/{name}.sqlite3"
        return f"{self.pg_base}/{self.pg_name}_{name}"

    def prepare(self) -> None:
        env = _base_env(self.var_dir)
        if self.kind == "postgres":
            _psql(self.pg_base + "/postgres", f"DROP DATABASE IF EXISTS {self.pg_name}_tpl")
            _psql(self.pg_base + "/postgres", f"CREATE DATABASE {self.pg_name}_tpl")
        env["DATABASE_URL"] = self.url("tpl")
        binhyen = [PY, "-m", "binhyen.cli"]
        subprocess.run([*binhyen, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([*binhyen, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)

    def copy(self, name: str) -> str:
        if self.kind == "sqlite":
            for suffix in ("", "-inbox"):
                src = Path(self.var_dir) / f"tpl{suffix}.sqlite3"
                shutil.copyfile(src, Path(self.var_dir) / f"{name}{suffix}.sqlite3")
                for extra in ("-wal", "-shm"):
                    p = Path(str(src) + extra)
                    if p.exists():
                        shutil.copyfile(p, Path(self.var_dir) / f"{name}{suffix}.sqlite3{extra}")
        else:
            admin = self.pg_base + "/postgres"
            _psql(admin, f"DROP DATABASE IF EXISTS {self.pg_name}_{name}")
            _psql(admin, f"CREATE DATABASE {self.pg_name}_{name} TEMPLATE {self.pg_name}_tpl")
            self.copies.append(name)
        return self.url(name)

    def fresh(self, name: str) -> str:
        """The URL of a new, empty database `name` (the bare reference's)."""
        if self.kind == "postgres":
            admin = self.pg_base + "/postgres"
            _psql(admin, f"DROP DATABASE IF EXISTS {self.pg_name}_{name}")
            _psql(admin, f"CREATE DATABASE {self.pg_name}_{name}")
            self.copies.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        if self.kind == "postgres":
            _psql(self.pg_base + "/postgres", f"DROP DATABASE IF EXISTS {self.pg_name}_{name}")
        else:
            for pattern in (f"{name}.sqlite3*", f"{name}-inbox.sqlite3*"):
                for path in Path(self.var_dir).glob(pattern):
                    path.unlink()

    def drop_all(self) -> None:
        """Drop the template and every copy still there (also after a failed phase)."""
        for name in dict.fromkeys([*self.copies, "tpl"]):
            self.drop(name)
        self.copies.clear()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--databases", default="sqlite,postgres")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/binhyen_bench_webhook"
        ),
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--paced", type=int, default=0, help="events in a steady-rate phase")
    ap.add_argument("--rate", type=float, default=10.0, help="events/s in the steady phase")
    ap.add_argument(
        "--phases",
        default="bare,web,serve",
        help="phases of a round, in order (bare: the bare Django reference)",
    )
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        run_phase(args)
        return

    print(
        f"machine calibration: {calibration_us():.1f} µs   load average: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f"   cores: {os.cpu_count()}"
    )
    print(
        f"events per phase: {args.n}   concurrency: {args.concurrency}   "
        f"gunicorn workers: {args.workers}   lane nice: "
        f"{os.environ.get('BINHYEN_WORKER_NICE', 'default')}"
    )
    phases = [x.strip() for x in args.phases.split(",") if x.strip()]
    if not phases or set(phases) - {"bare", "web", "serve"}:
        sys.exit("--phases: a comma-separated list of bare, web, serve")
    tmp = tempfile.mkdtemp(prefix="binhyen-bench-webhook-")
    results: list[dict[str, Any]] = []
    try:
        for kind in args.databases.split(","):
            db = Database(kind, tmp, args.pg_url)
            try:
                t0 = time.monotonic()
                db.prepare()
                print(f"\n[{kind}] demo world migrated and loaded in {time.monotonic() - t0:.0f} s")
                modes = phases * args.rounds
                for i, mode in enumerate(modes):
                    r = _run_one(args, db, i, mode, paced=args.paced and i == len(modes) - 1)
                    r["round"] = i // len(phases) + 1
                    results.append(r)
                    _print_phase(r)
            finally:
                db.drop_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _print_summary(results)


def _run_one(
    args: argparse.Namespace, db: Database, i: int, mode: str, paced: bool
) -> dict[str, Any]:
    """Run phase `i` (`mode`) in its own process on fresh databases, dropped afterwards."""
    name = f"p{i}"
    env = _base_env(db.var_dir)
    try:
        # The client reads the Zalo pages of the demo world (to sign its payloads) in every
        # phase; the bare reference stores into its own fresh database.
        env["DATABASE_URL"] = db.copy(name)
        if mode == "bare":
            env["BARE_DATABASE_URL"] = db.fresh(f"bare{i}")
        cmd = [PY, __file__, "--phase", mode, "--n", str(args.n)]
        cmd += ["--concurrency", str(args.concurrency), "--workers", str(args.workers)]
        cmd += ["--port", str(args.port), "--paced", "0"]
        if paced and mode == "serve":
            cmd[-1] = str(args.paced)
            cmd += ["--rate", str(args.rate)]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    finally:
        db.drop(name)
        db.drop(f"bare{i}")
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        print(out.stdout[-2000:], out.stderr[-4000:])
        sys.exit(f"phase {mode} on {db.kind} failed")
    result: dict[str, Any] = json.loads(line[7:])
    return result


def _print_phase(r: dict[str, Any]) -> None:
    mem = "   ".join(
        f"{kind} {len(v)}× {max(v):.0f} MB (nice {r['nice'][kind]})"
        for kind, v in sorted(r["memory_mb"].items())
    )
    shared = "   ".join(f"{kind} {mb:.0f} MB" for kind, mb in sorted(r["pss_mb"].items()))
    print(
        f"  round {r['round']} {r['mode']:5}: {r['rate']:6.0f} events/s   "
        f"ack p50 {r['p50']:5.1f} ms  p99 {r['p99']:6.1f} ms   "
        f"accepted {r['accepted']}/{r['n']}  errors {r['errors']}  lost {r['lost']}   "
        f"processed during burst {r['processed_during']}   "
        f"CPU s: web {r['web_cpu_s']:.2f} ({r['web_cpu_s'] / r['n'] * 1000:.2f} ms per event) "
        f"lanes {r['lane_cpu_s']:.1f} "
        f"client {r['client_cpu_s']:.1f} (wall {r['wall_s']:.1f})   load {r['load']:.1f}"
    )
    print(f"      peak RSS per process: {mem}")
    print(f"      PSS (shared pages split) per kind, all processes: {shared}")
    if "paced" in r:
        p = r["paced"]
        print(
            f"      paced: webhook -> message in case p50 {p['p50']:.0f} ms  "
            f"p99 {p['p99']:.0f} ms  stored {p['stored']}"
        )


def _print_summary(results: list[dict[str, Any]]) -> None:
    print("\nsummary (ratios of phases in the same round; targets: web / bare >= 0.8 with")
    print("web p99 < 50 ms, serve / web >= 0.7)")
    for db in dict.fromkeys(r["database"] for r in results):
        rows = [r for r in results if r["database"] == db]
        for rnd in sorted({r["round"] for r in rows}):
            got = {r["mode"]: r for r in rows if r["round"] == rnd}
            parts = [
                f"{mode} {got[mode]['rate']:.0f}/s (p50 {got[mode]['p50']:.1f} "
                f"p99 {got[mode]['p99']:.1f} ms)"
                for mode in ("bare", "web", "serve")
                if mode in got
            ]
            if "bare" in got and "web" in got:
                parts.append(f"web/bare {got['web']['rate'] / got['bare']['rate']:.2f}")
                bare_ms, web_ms = (
                    got[m]["web_cpu_s"] / got[m]["n"] * 1000 for m in ("bare", "web")
                )
                parts.append(
                    f"web workers' CPU per event bare {bare_ms:.2f} / web {web_ms:.2f} ms "
                    f"({web_ms / bare_ms:.2f}×)"
                )
            if "web" in got and "serve" in got:
                parts.append(f"serve/web {got['serve']['rate'] / got['web']['rate']:.2f}")
            lost = sum(r["lost"] for r in got.values())
            load = " ".join(f"{r['load']:.1f}" for r in got.values())
            print(f"  {db:10} round {rnd}: " + "   ".join(parts) + f"   lost {lost}   load {load}")


if __name__ == "__main__":
    main()
