"""Triage throughput on one core: messages/s and per-message latency.

Run: .venv/bin/python bench/triage_throughput.py [--min-messages 10000] [--model PATH]

The dev set (binhyen/data/triage/seed-dev.jsonl) is repeated until at least --min-messages
messages have been triaged one at a time with Triager.predict (the way the worker calls it);
that is done --repeat times and every run is printed, the fastest last. Start-up (loading or
training the model) is timed separately and not counted. Shared machines vary a lot: the last
line is a calibration to compare runs by.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from binhyen.lib.triage import Triager  # noqa: E402
from binhyen.lib.triage.training import SEED_DIR  # noqa: E402


def calibration_us() -> float:
    """Best-of-5 time of sum(range(1000)), so figures from different machines compare."""
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(1000):
            sum(range(1000))
        best = min(best, (time.perf_counter() - t) / 1000)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-messages", type=int, default=10_000)
    parser.add_argument("--model", default=None, help="model .npz (default: Triager.load())")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the best is reported)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    texts = [
        json.loads(line)["text"]
        for line in (SEED_DIR / "seed-dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    t0 = time.perf_counter()
    triager = Triager.load(args.model)
    startup = time.perf_counter() - t0
    for text in texts:  # warm-up
        triager.predict(text)

    rounds = -(-args.min_messages // len(texts))
    clock = time.perf_counter
    runs: list[tuple[float, list[float]]] = []
    cpu_rates: list[float] = []
    for _ in range(args.repeat):
        latencies: list[float] = []
        start, cpu_start = clock(), time.process_time()
        for _ in range(rounds):
            for text in texts:
                t = clock()
                triager.predict(text)
                latencies.append(clock() - t)
        runs.append((clock() - start, sorted(latencies)))
        cpu_rates.append(len(latencies) / (time.process_time() - cpu_start))

    print(f"model: {triager.model_version} (start-up {startup:.2f} s)")
    for total, latencies in runs:
        n = len(latencies)
        print(
            f"run: {n} messages ({len(texts)} dev messages x {rounds}), "
            f"{n / total:,.0f} messages/s, p50 {latencies[n // 2] * 1e6:,.0f} µs, "
            f"p99 {latencies[int(n * 0.99) - 1] * 1e6:,.0f} µs, "
            f"mean {statistics.fmean(latencies) * 1e6:,.0f} µs"
        )
    total, latencies = min(runs, key=lambda r: r[0])
    n = len(latencies)
    print(f"best run: {n / total:,.0f} messages/s on one core (wall clock)")
    print(f"cpu time: {max(cpu_rates):,.0f} messages/s per CPU-second (ignores time descheduled)")
    print(f"latency p50: {latencies[n // 2] * 1e6:,.0f} µs")
    print(f"latency p99: {latencies[int(n * 0.99) - 1] * 1e6:,.0f} µs")
    print(f"machine calibration: sum(range(1000)) takes {calibration_us():.1f} µs here")


if __name__ == "__main__":
    main()
