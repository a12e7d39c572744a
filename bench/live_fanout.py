"""Live fan-out benchmark: from `binhyen.live.publish()` returning to the event arriving at
N connected live-stream clients, for N = 1, 100, 1000 (p50/p99 over every client and event,
and of the time until the last client had it).

    .venv/bin/python bench/live_fanout.py                    # SQLite: UNIX-socket transport
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/binhyen_bench_live \\
        .venv/bin/python bench/live_fanout.py                # PostgreSQL: LISTEN/NOTIFY

It starts one `binhyen live` process (uvicorn) on a free port, signs a duty officer in, and
opens the N streams from ONE separate asyncio process with raw HTTP/1.1 connections (the
clients' own CPU cost stays small and off the publisher). The publisher is this process,
calling the real publish() outside a transaction, as the worker does after a commit.
Latencies use CLOCK_MONOTONIC, which all processes on the machine share.

Shared machines vary a lot: the last line is a calibration to compare runs by.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEQ = re.compile(os.environ.get("BENCH_SEQ_PATTERN", r'"seq":(\d+)').encode())


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def calibration_us() -> float:
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        sum(range(1000))
        best = min(best, time.perf_counter() - t)
    return best * 1e6


# --- the clients (a child process) ---------------------------------------------------------


async def _client(
    host: str,
    port: int,
    cookie: str,
    arrivals: dict[int, list[float]],
    ready: asyncio.Event,
    counter: list[int],
    n: int,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /live/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
        f"Cookie: sessionid={cookie}\r\n\r\n".encode()
    )
    buf = b""
    while b"event: hello" not in buf:
        chunk = await reader.read(65536)
        if not chunk:
            raise RuntimeError("stream closed before hello: " + buf[:200].decode("latin-1"))
        buf += chunk
    counter[0] += 1
    if counter[0] == n:
        ready.set()
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        now = time.monotonic()
        for m in SEQ.finditer(chunk):
            arrivals.setdefault(int(m.group(1)), []).append(now)


async def _clients_main(host: str, port: int, cookie: str, n: int) -> None:
    arrivals: dict[int, list[float]] = {}
    ready = asyncio.Event()
    counter = [0]
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(_client(host, port, cookie, arrivals, ready, counter, n)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # a reconnect storm is not what is measured here
    await asyncio.wait_for(ready.wait(), timeout=120)
    print("READY", flush=True)
    # The parent says how many events to wait for, then waits for our report.
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    expected = int(line)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(arrivals) >= expected and all(len(v) >= n for v in arrivals.values()):
            break
        await asyncio.sleep(0.05)
    print(json.dumps({str(k): v for k, v in arrivals.items()}), flush=True)
    for t in tasks:
        t.cancel()


# --- the orchestrator ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict[str, str]) -> None:
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "-m", "binhyen.cli", "migrate", "--noinput", "-v0"], env=env, check=True
    )


_SHARED_KEYS = (
    "DATABASE_URL",
    "BINHYEN_ENV",
    "BINHYEN_VAR_DIR",
    "BINHYEN_LOG_LEVEL",
    "BINHYEN_LIVE_SOCKET_DIR",
)


def bench_environment(tmp: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a bench run in `tmp` (SQLite there unless DATABASE_URL says
    otherwise), shared with this process so Django here sees the same database; migrated."""
    env = os.environ.copy()
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    env.update(
        {
            "BINHYEN_ENV": "demo",
            "BINHYEN_VAR_DIR": tmp,
            "BINHYEN_LOG_LEVEL": "WARNING",
            "BINHYEN_LIVE_SOCKET_DIR": f"{tmp}/live",
            **(extra or {}),
        }
    )
    os.environ.update({k: env[k] for k in _SHARED_KEYS})
    prepare_database(env)
    return env


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", default="1,100,1000")
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.25, help="seconds between events")
    ap.add_argument(
        "--_clients-mode", dest="clients_mode", nargs=4, metavar="X", help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.clients_mode:
        host, port, cookie, n = args.clients_mode
        asyncio.run(_clients_main(host, int(port), cookie, int(n)))
        return

    tmp = tempfile.mkdtemp(prefix="bylive-bench-")
    env = bench_environment(tmp)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
    import django

    django.setup()
    from django.test import Client

    from binhyen import live
    from binhyen.accounts.models import Role
    from binhyen.accounts.services import staff_upsert
    from binhyen.live import conf
    from binhyen.units.models import Unit
    from binhyen.units.services import unit_upsert

    province = unit_upsert(
        code="66", name="Công an tỉnh Đắk Lắk", kind=Unit.Kind.PROVINCE, parent=None, areas=[]
    )
    commune = unit_upsert(
        code="24133",
        name="Công an phường Buôn Ma Thuột",
        kind=Unit.Kind.COMMUNE,
        parent=province,
        areas=[],
    )
    duty = staff_upsert(
        username="bench.duty",
        password="bench-password-123",
        full_name="Bench Duty",
        memberships=[(province, Role.DUTY)],
    )
    client = Client()
    client.force_login(duty)
    cookie = client.cookies["sessionid"].value

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "binhyen.cli", "live", "--port", str(port)],
        env=env,
    )
    try:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/live/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        print(
            f"transport: {conf.transport()}   database: {env['DATABASE_URL'].split('://')[0]}"
            f"   events per N: {args.events}, every {args.interval}s"
        )
        print(f"{'N':>6} {'p50 ms':>8} {'p99 ms':>8} {'last p50':>9} {'last p99':>9}  missing")
        for n in [int(x) for x in args.clients.split(",")]:
            run_one(n, port, cookie, args, live, commune.path)
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"calibration: sum(range(1000)) best of 5 = {calibration_us():.1f} µs")


def run_one(n: int, port: int, cookie: str, args: argparse.Namespace, live, unit_path: str) -> None:
    clients = subprocess.Popen(
        [sys.executable, __file__, "--_clients-mode", "127.0.0.1", str(port), cookie, str(n)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert clients.stdout is not None and clients.stdin is not None
    if clients.stdout.readline().strip() != "READY":
        raise RuntimeError("clients did not connect")
    time.sleep(0.5)
    sent: dict[int, float] = {}
    base = int(time.time() * 1000) % 1_000_000 * 1000  # seq numbers unique per run
    for i in range(args.events + 1):
        seq = base + i
        t0 = time.monotonic()
        live.publish(
            unit_path=unit_path,
            kind="case.new",
            payload={
                "seq": seq,
                "urgency": "critical",
                "code": f"TB-{i:04d}",
                "summary": "Bench: nhóm thanh niên tụ tập mang hung khí",
            },
        )
        sent[seq] = t0
        time.sleep(args.interval)
    clients.stdin.write(f"{len(sent)}\n")
    clients.stdin.flush()
    arrivals = {int(k): v for k, v in json.loads(clients.stdout.readline()).items()}
    clients.wait(timeout=30)
    warmup = base
    all_ms: list[float] = []
    last_ms: list[float] = []
    missing = 0
    for seq, t0 in sent.items():
        if seq == warmup:
            continue
        got = arrivals.get(seq, [])
        missing += n - len(got)
        if got:
            all_ms += [(t - t0) * 1000 for t in got]
            last_ms.append((max(got) - t0) * 1000)
    print(
        f"{n:>6} {pct(all_ms, 50):8.1f} {pct(all_ms, 99):8.1f} {pct(last_ms, 50):9.1f} "
        f"{pct(last_ms, 99):9.1f}  {missing}",
        flush=True,
    )


if __name__ == "__main__":
    main()
