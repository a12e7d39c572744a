"""Knowledge search latency at 10,000 entries, with the 40-entry catalogue as reference.

Run: .venv/bin/python bench/knowledge_search.py [--entries 10000] [--queries 200]

Synthetic entries are the 40 catalogue entries with their words shuffled and numbered
("... (bản 123)") plus synthetic synonyms, so the vocabulary grows like a real catalogue's
would. Every question of the dev set is searched against both indexes one at a time (the way
the case page and the worker call it); build time, median and 95th-percentile latency are
printed (wall clock, and the CPU time of this process, steadier on a shared machine), then a
calibration line (sum(range(1000))) to compare runs on shared machines.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from binhyen.lib.knowledge import Entry, Index, catalogue_entries, load_jsonl  # noqa: E402
from binhyen.lib.knowledge.search import DATA_DIR  # noqa: E402


def calibration_us() -> float:
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(1000):
            sum(range(1000))
        best = min(best, (time.perf_counter() - t) / 1000)
    return best * 1e6


def synthetic(base: list[Entry], n: int, rng: random.Random) -> list[Entry]:
    real = [e for e in base if e.slug != "__none__"]
    out = list(base)
    words = " ".join(e.summary for e in real).split()
    for i in range(n - len(real)):
        src = real[i % len(real)]
        summary = " ".join(rng.sample(words, min(60, len(words))))
        out.append(
            Entry(
                slug=f"synthetic-{i}",
                title=f"{src.title} (bản {i})",
                summary=summary,
                synonyms=[" ".join(rng.sample(words, 5)) for _ in range(4)],
                examples=[" ".join(rng.sample(words, 12)) for _ in range(2)],
            )
        )
    return out


def measure(index: Index, questions: list[str]) -> tuple[float, float, float]:
    """Wall-clock median and p95, and the median CPU time of this process (steadier than the
    wall clock on a machine shared with other work)."""
    times = []
    cpu = []
    for q in questions:
        t = time.perf_counter()
        c = time.process_time()
        index.search(q)
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(12)
    rows = load_jsonl(DATA_DIR / "procedure-questions-dev.jsonl")
    questions = [str(r["text"]) for r in rows]
    questions = (questions * (args.queries // len(questions) + 1))[: args.queries]
    base = catalogue_entries()
    for label, entries in (
        ("catalogue (40 entries)", base),
        (f"synthetic ({args.entries} entries)", synthetic(base, args.entries, rng)),
    ):
        t = time.perf_counter()
        c = time.process_time()
        index = Index.build(entries)
        build = time.perf_counter() - t
        build_cpu = time.process_time() - c
        median, p95, cpu = measure(index, questions)
        print(
            f"{label:32s} build {build:6.2f} s (cpu {build_cpu:6.2f} s)   search median"
            f" {median:6.2f} ms   p95 {p95:6.2f} ms   cpu median {cpu:6.2f} ms"
            f"   ({len(questions)} questions)"
        )
    print(f"calibration: sum(range(1000)) = {calibration_us():.2f} µs")


if __name__ == "__main__":
    main()
