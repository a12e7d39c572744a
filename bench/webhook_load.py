"""Webhook load benchmark: N signed Zalo events against a running BinhYen.

Prints events/s accepted, ack latency p50/p99, and the time from sending an event to its
message being stored in a case (p50/p99), which is what an officer waits for.

    .venv/bin/python bench/webhook_load.py                 # spawns `binhyen serve` on SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/binhyen_bench \\
        .venv/bin/python bench/webhook_load.py             # ... on PostgreSQL
    .venv/bin/python bench/webhook_load.py --url http://127.0.0.1:8000 --no-spawn

With --no-spawn the target must use the same DATABASE_URL (the script reads the demo pages
and the stored messages from it).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8765")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--no-spawn", action="store_true")
    ap.add_argument("--web-workers", type=int, default=3)
    ap.add_argument("--paced", type=int, default=100, help="events in the steady-rate phase")
    ap.add_argument("--rate", type=float, default=10.0, help="events/s in the steady phase")
    args = ap.parse_args()

    env = os.environ.copy()
    env.setdefault("BINHYEN_ENV", "demo")
    tmp = tempfile.mkdtemp(prefix="binhyen-bench-")
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    env["BINHYEN_VAR_DIR"] = tmp
    # Replies (the automatic acknowledgements) go to a closed local port: the bench measures
    # BinhYen, and never reaches the network.
    env.setdefault("ZALO_OPENAPI_URL", "http://127.0.0.1:9")
    env.setdefault("ZALO_OAUTH_URL", "http://127.0.0.1:9")
    env.setdefault("BINHYEN_HTTP_CONNECT_RETRIES", "0")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "BINHYEN_VAR_DIR", "BINHYEN_ENV")})
    binhyen = [sys.executable, "-m", "binhyen.cli"]
    server = None
    if not args.no_spawn:
        subprocess.run([*binhyen, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([*binhyen, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = args.url.rsplit(":", 1)[-1].strip("/")
        server = subprocess.Popen(
            [*binhyen, "serve", "--port", port, "--workers", str(args.web_workers)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if httpx.get(args.url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
    import django

    django.setup()
    from binhyen.cases.models import Message
    from binhyen.channels.models import ChannelAccount
    from binhyen.channels.zalo.signature import signature_header

    pages = list(ChannelAccount.objects.filter(provider="zalo", is_active=True)[:50])
    if not pages:
        sys.exit("no Zalo pages: run `binhyen load-demo` on this database first")
    secrets_by_page = {p.pk: p.oa_secret_key for p in pages}

    bodies: list[tuple[str, bytes, str]] = []
    for i in range(args.n):
        page = pages[i % len(pages)]
        msg_id = secrets.token_hex(16)
        payload = {
            "app_id": page.app_id,
            "event_name": "user_send_text",
            "sender": {"id": str(7_000_000_000_000_000_000 + i)},
            "recipient": {"id": page.external_id},
            "user_id_by_app": str(8_000_000 + i),
            "message": {"msg_id": msg_id, "text": f"Tin báo thử tải số {i} ở phường Tân Lợi"},
            "timestamp": str(int(time.time() * 1000)),
        }
        raw = json.dumps(payload, ensure_ascii=False).encode()
        sig = signature_header(
            app_id=page.app_id,
            raw_body=raw,
            timestamp=payload["timestamp"],
            oa_secret_key=secrets_by_page[page.pk],
        )
        bodies.append((msg_id, raw, sig))

    sent_at: dict[str, float] = {}
    ack_ms: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(range(args.n))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=10) as client:
            while True:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                msg_id, raw, sig = bodies[i]
                t0 = time.time()
                try:
                    r = client.post(
                        args.url + "/webhooks/zalo/",
                        content=raw,
                        headers={"X-ZEvent-Signature": sig, "Content-Type": "application/json"},
                    )
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                t1 = time.time()
                with lock:
                    if ok:
                        sent_at[msg_id] = t0
                        ack_ms.append((t1 - t0) * 1000)
                    else:
                        errors += 1

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started

    deadline = time.time() + 300
    seen: dict[str, float] = {}
    while time.time() < deadline and len(seen) < len(sent_at):
        for pid, created in Message.objects.filter(
            provider_message_id__in=[m for m in sent_at if m not in seen]
        ).values_list("provider_message_id", "created_at"):
            seen[pid] = created.timestamp()
        time.sleep(0.5)
    visible_ms = [(seen[m] - sent_at[m]) * 1000 for m in seen]
    db = django.db.connection.vendor
    print(f"database: {db}   events: {args.n}   concurrency: {args.concurrency}")
    print(f"accepted: {len(ack_ms)}   errors: {errors}   wall: {elapsed:.2f} s")
    print(f"events/s accepted: {len(ack_ms) / elapsed:.0f}")
    print(
        f"ack latency ms: p50 {pct(ack_ms, 50):.1f}   p99 {pct(ack_ms, 99):.1f}   "
        f"max {max(ack_ms) if ack_ms else float('nan'):.1f}"
    )
    print(
        f"webhook -> message in case ms: p50 {pct(visible_ms, 50):.0f}   "
        f"p99 {pct(visible_ms, 99):.0f}   stored {len(seen)}/{len(sent_at)}"
    )
    if visible_ms:
        rate = len(seen) / max(1e-9, (max(seen.values()) - started))
        print(
            f"processing throughput: {rate:.0f} msg/s"
            f"   mean visible {statistics.mean(visible_ms):.0f} ms"
        )
    # Phase 2: at a steady, realistic rate the officer's wait is processing time, not queue.
    if args.paced:
        paced_sent: dict[str, float] = {}
        with httpx.Client(timeout=10) as client:
            for i in range(args.paced):
                page = pages[i % len(pages)]
                msg_id = secrets.token_hex(16)
                payload = {
                    "app_id": page.app_id,
                    "event_name": "user_send_text",
                    "sender": {"id": str(6_000_000_000_000_000_000 + i)},
                    "recipient": {"id": page.external_id},
                    "message": {"msg_id": msg_id, "text": f"Tin báo nhịp đều số {i}"},
                    "timestamp": str(int(time.time() * 1000)),
                }
                raw = json.dumps(payload, ensure_ascii=False).encode()
                sig = signature_header(
                    app_id=page.app_id,
                    raw_body=raw,
                    timestamp=payload["timestamp"],
                    oa_secret_key=secrets_by_page[page.pk],
                )
                paced_sent[msg_id] = time.time()
                client.post(
                    args.url + "/webhooks/zalo/", content=raw, headers={"X-ZEvent-Signature": sig}
                )
                time.sleep(1 / args.rate)
        deadline = time.time() + 60
        got: dict[str, float] = {}
        while time.time() < deadline and len(got) < len(paced_sent):
            for pid, created in Message.objects.filter(
                provider_message_id__in=list(paced_sent)
            ).values_list("provider_message_id", "created_at"):
                got[pid] = created.timestamp()
            time.sleep(0.3)
        lat = [(got[m] - paced_sent[m]) * 1000 for m in got]
        print(
            f"paced {args.rate}/s x {args.paced}: webhook -> message in case ms: "
            f"p50 {pct(lat, 50):.0f}   p99 {pct(lat, 99):.0f}   stored {len(got)}/{args.paced}"
        )
    if server is not None:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
