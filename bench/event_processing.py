"""New-citizen events fully processed per second, with 1, 2 and 4 lanes (worker processes).

"Processed" is what a duty officer waits for, not "stored": the inbound event applied
(contact, conversation, case, message), the case triaged (suggestion, duplicates, routing),
its clocks started and its alerts raised — i.e. the event is `processed` and no task of the
default queue is left. Replies to citizens (the outbound lane) are not counted: they wait on
Zalo's servers.

    .venv/bin/python bench/event_processing.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/binhyen_bench_proc \\
        .venv/bin/python bench/event_processing.py                  # PostgreSQL (recreated)
    .venv/bin/python bench/event_processing.py --profile 20         # queries per stage, cProfile

The last column is the work's own cost, whatever else the machine runs: events per CPU
second spent in the lane processes (the database server's CPU is not in it). Each lane
count is run against the same kind of backlog (--events new citizens, each on one
of the demo pages, texts from the triage dev set), and in the same run a reference: the
same number of lanes each running a bare loop that inserts one row per event in its own
transaction (the floor a database round-trip puts under any processing). Figures are
printed with their ratio to the reference, and the machine calibration last.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from live_fanout import bench_environment, calibration_us  # noqa: E402


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
    import django

    django.setup()


def _texts() -> list[str]:
    seed = ROOT / "binhyen" / "data" / "triage" / "seed-dev.jsonl"
    return [
        json.loads(line)["text"]
        for line in seed.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def enqueue_events(n: int, start: int) -> None:
    """Store `n` user_send_text events of new citizens, the way the webhook stores them."""
    from binhyen.channels.inbox import person_hash
    from binhyen.channels.models import ChannelAccount
    from binhyen.channels.zalo.webhook import store_event

    pages = list(ChannelAccount.objects.filter(provider="zalo").order_by("pk"))
    texts = _texts()
    now_ms = int(time.time() * 1000)
    for i in range(start, start + n):
        page = pages[i % len(pages)]
        sender = str(8_200_000_000_000_000_000 + i)
        payload = {
            "app_id": page.app_id,
            "event_name": "user_send_text",
            "sender": {"id": sender},
            "recipient": {"id": page.external_id},
            "message": {"msg_id": f"bench{i:015x}", "text": texts[i % len(texts)]},
            "timestamp": str(now_ms),
        }
        store_event(
            key=f"user_send_text:bench{i:015x}",
            account_id=page.pk,
            event_name="user_send_text",
            raw=json.dumps(payload, ensure_ascii=False).encode(),
            retry_header=0,
            person=person_hash(channel_account_id=page.pk, person_key=f"user:{sender}"),
        )


def outstanding() -> int:
    """Events not yet applied plus default-queue tasks not yet finished."""
    from django_tasks_db.models import DBTaskResult

    from binhyen.channels.models import InboundEvent

    events = InboundEvent.objects.filter(
        status__in=[InboundEvent.Status.RECEIVED, InboundEvent.Status.PROCESSING]
    ).count()
    tasks = (
        DBTaskResult.objects.filter(queue_name="default", status__in=["READY", "RUNNING"])
        .exclude(task_path__startswith="binhyen.monitoring")
        .count()
    )
    return events + tasks


# --- lanes (child processes) -----------------------------------------------------------


def lane_main(mode: str, start_file: str, stop_file: str, count: int, lane: int) -> None:
    _django()
    from django.db import connection, transaction

    from binhyen.core.worker import BinhYenWorker

    if mode == "reference":
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    else:
        from binhyen.triage import engine

        engine.active_triager()  # a running worker has its model loaded
    print("READY", flush=True)
    while not os.path.exists(start_file):
        time.sleep(0.005)
    if mode == "reference":
        body = "x" * 200
        for i in range(count):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO bench_reference (lane, seq, body) VALUES (%s, %s, %s)",
                    [lane, i, body],
                )
        return
    worker = BinhYenWorker(worker_id=f"bench-lane-{lane}", queues={"default"})
    cpu = time.process_time()
    while not os.path.exists(stop_file):
        if not worker.run_once():
            time.sleep(0.01)
    print(f"CPU {time.process_time() - cpu:.3f}", flush=True)


LANE_CPU: dict[int, float] = {}


def run_lanes(env: dict[str, str], mode: str, lanes: int, events: int, tmp: str) -> float:
    """Seconds for `lanes` processes to finish the backlog (or `events` reference rows)."""
    start_file = os.path.join(tmp, f"start-{mode}-{lanes}")
    stop_file = os.path.join(tmp, f"stop-{mode}-{lanes}")
    per_lane = -(-events // lanes)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--_lane",
                mode,
                start_file,
                stop_file,
                str(per_lane),
                str(i),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(lanes)
    ]
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline().strip() != "READY":
            raise RuntimeError("a lane did not start")
    t0 = time.perf_counter()
    Path(start_file).touch()
    if mode == "reference":
        for p in procs:
            p.wait(timeout=600)
        return time.perf_counter() - t0
    while outstanding():
        time.sleep(0.02)
    elapsed = time.perf_counter() - t0
    Path(stop_file).touch()
    cpu = 0.0
    for p in procs:
        assert p.stdout is not None
        out = p.stdout.read()
        p.wait(timeout=60)
        cpu += sum(float(x.split()[1]) for x in out.splitlines() if x.startswith("CPU "))
    LANE_CPU[lanes] = cpu
    return elapsed


def drain_default() -> int:
    """Do all ready work of the default queue in this process (not the outbound lane)."""
    from binhyen.core.worker import BinhYenWorker

    worker = BinhYenWorker(worker_id="bench", queues={"default"})
    total = 0
    while done := worker.run_once():
        total += done
    return total


def queries_per_event(sample: int) -> tuple[float, dict[str, int]]:
    """Queries to process `sample` new-citizen events in this process, per event and by kind."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    enqueue_events(sample, start=9_000_000)
    kinds: dict[str, int] = {}
    total = 0
    contexts = [CaptureQueriesContext(connections[alias]) for alias in connections]
    for ctx in contexts:
        ctx.__enter__()
    try:
        drain_default()
    finally:
        for ctx in contexts:
            ctx.__exit__(None, None, None)
    for ctx in contexts:
        for q in ctx.captured_queries:
            sql = q["sql"].lstrip()
            verb = sql.split(" ", 1)[0].upper()
            kinds[verb] = kinds.get(verb, 0) + 1
            total += 1
    return total / sample, kinds


def profile(sample: int) -> None:
    """Queries per stage (by the innermost binhyen function that issued them) and cProfile."""
    import cProfile
    import pstats
    import traceback

    from django.db import connections

    from binhyen.triage import engine

    engine.active_triager()
    enqueue_events(3, start=8_000_000)
    drain_default()  # warm caches
    enqueue_events(sample, start=8_100_000)
    stages: dict[str, int] = {}

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        frames = [
            f
            for f in traceback.extract_stack()[:-1]
            if "/binhyen/" in f.filename and "/bench/" not in f.filename
        ]
        where = " < ".join(f"{Path(f.filename).stem}.{f.name}" for f in reversed(frames[-3:]))
        key = f"{sql.split(' ', 1)[0].upper():9} {where}"
        stages[key] = stages.get(key, 0) + 1
        return execute(sql, params, many, context)

    prof = cProfile.Profile()
    wrappers = [connections[a].execute_wrapper(wrapper) for a in connections]
    for w in wrappers:
        w.__enter__()
    prof.enable()
    try:
        drain_default()
    finally:
        prof.disable()
        for w in wrappers:
            w.__exit__(None, None, None)
    total = sum(stages.values())
    print(f"{total / sample:.1f} queries per event ({sample} events)")
    for key, n in sorted(stages.items(), key=lambda kv: -kv[1])[:100]:
        print(f"{n / sample:6.2f}  {key}")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=400, help="backlog per lane count")
    ap.add_argument("--lanes", default="1,2,4")
    ap.add_argument("--sample", type=int, default=20, help="events for the query count")
    ap.add_argument("--profile", type=int, default=0, help="profile this many events and stop")
    ap.add_argument("--_lane", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._lane:
        mode, start_file, stop_file, count, lane = args._lane
        lane_main(mode, start_file, stop_file, int(count), int(lane))
        return

    tmp = tempfile.mkdtemp(prefix="by-proc-bench-")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    model = ROOT / "var" / "triage" / "model.npz"
    env = bench_environment(
        tmp,
        {
            "ZALO_OPENAPI_URL": "http://127.0.0.1:9",
            "ZALO_OAUTH_URL": "http://127.0.0.1:9",
            "BINHYEN_HTTP_CONNECT_RETRIES": "0",
            "BINHYEN_TRIAGE_MODEL": str(model),
        },
    )
    os.environ.update({k: env[k] for k in ("ZALO_OPENAPI_URL", "ZALO_OAUTH_URL")})
    os.environ["BINHYEN_TRIAGE_MODEL"] = str(model)
    subprocess.run(
        [sys.executable, "-m", "binhyen.cli", "load_demo"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _django()
    from django.db import connection

    from binhyen.lib.triage.training import expected_default_version

    meta = model.with_suffix(".json")
    if not meta.exists() or json.loads(meta.read_text())["version"] != expected_default_version():
        subprocess.run(
            [sys.executable, "-m", "binhyen.lib.triage", "build", str(model)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if args.profile:
        profile(args.profile)
        return
    with connection.cursor() as cur:
        serial = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
        cur.execute(
            f"CREATE TABLE bench_reference (id {serial} PRIMARY KEY, lane INTEGER, "
            "seq INTEGER, body TEXT)"
        )
    connection.close()

    db = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"database: {db}   backlog per run: {args.events} new-citizen events")
    per_event, kinds = queries_per_event(args.sample)
    shown = ", ".join(f"{k} {v / args.sample:.1f}" for k, v in sorted(kinds.items()))
    print(f"queries per event: {per_event:.1f}  ({shown})")
    print(
        f"{'lanes':>5} {'events/s':>9} {'per lane':>9} {'reference rows/s':>17} {'ratio':>6}"
        f" {'events per worker CPU-s':>24}"
    )
    seq = 0
    for lanes in [int(x) for x in args.lanes.split(",")]:
        ref = run_lanes(env, "reference", lanes, args.events, tmp)
        ref_rate = args.events / ref
        enqueue_events(args.events, start=seq)
        seq += args.events
        connection.close()
        took = run_lanes(env, "process", lanes, args.events, tmp)
        rate = args.events / took
        per_cpu = args.events / LANE_CPU[lanes] if LANE_CPU.get(lanes) else float("nan")
        print(
            f"{lanes:>5} {rate:9.1f} {rate / lanes:9.1f} {ref_rate:17.1f} {rate / ref_rate:6.3f}"
            f" {per_cpu:24.1f}",
            flush=True,
        )
    print(f"calibration: sum(range(1000)) best of 5 = {calibration_us():.1f} µs")


if __name__ == "__main__":
    main()
