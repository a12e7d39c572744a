"""From a Zalo webhook's 200 to the alert on N open consoles (N = 1, 100, 1000).

The whole path, as on the pilot's night: a signed `user_send_text` about armed youths in
old "phường Tân Lợi" reaches the PROVINCE page; the webhook stores it and answers 200; the
worker processes it, the triage engine calls it critical and routes it to Công an phường
Buôn Ma Thuột, the duty alert is published, and the live server pushes it to every stream
of the duty officer. Clock: CLOCK_MONOTONIC, shared by all processes on the machine.

    .venv/bin/python bench/webhook_to_alert.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/binhyen_bench_alert \\
        .venv/bin/python bench/webhook_to_alert.py             # PostgreSQL

The worker polls for new events every 0.2 s when idle: that wait is part of the figure.
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

from live_fanout import bench_environment, calibration_us, free_port, pct  # noqa: E402

TEXT = (
    "KHẨN CẤP BENCH#{seq}: nhóm thanh niên mang dao, mã tấu đang đánh nhau gần trường "
    "mầm non đường Hà Huy Tập, phường Tân Lợi cũ, có người bị thương"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", default="1,100,1000")
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="by-alert-bench-")
    env = bench_environment(
        tmp,
        {
            # Replies to the bench citizens go nowhere (a closed local port).
            "ZALO_OPENAPI_URL": "http://127.0.0.1:9",
            "ZALO_OAUTH_URL": "http://127.0.0.1:9",
            "BINHYEN_HTTP_CONNECT_RETRIES": "0",
        },
    )
    subprocess.run(
        [sys.executable, "-m", "binhyen.cli", "load_demo"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
    import django

    django.setup()
    import httpx
    from django.test import Client

    from binhyen.accounts.models import User
    from binhyen.channels.models import ChannelAccount
    from binhyen.channels.zalo.signature import signature_header

    client = Client()
    client.force_login(User.objects.get(username="trucban"))
    cookie = client.cookies["sessionid"].value
    page = ChannelAccount.objects.get(unit__code="66", provider="zalo")

    web, live_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "binhyen.cli",
            "serve",
            "--port",
            str(web),
            "--live-port",
            str(live_port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{web}"
    try:
        for _ in range(300):
            try:
                ok = httpx.get(base_url + "/readyz", timeout=1).status_code == 200
                if (
                    ok
                    and httpx.get(
                        f"http://127.0.0.1:{live_port}/live/healthz", timeout=1
                    ).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        http = httpx.Client(timeout=10)
        seq_counter = [int(time.time()) % 100000 * 1000]

        def send() -> tuple[int, float]:
            seq_counter[0] += 1
            seq = seq_counter[0]
            payload = {
                "app_id": page.app_id,
                "event_name": "user_send_text",
                "sender": {"id": str(8_100_000_000_000_000_000 + seq)},
                "recipient": {"id": page.external_id},
                "message": {"msg_id": f"{seq:020x}", "text": TEXT.format(seq=seq)},
                "timestamp": str(int(time.time() * 1000)),
            }
            raw = json.dumps(payload, ensure_ascii=False).encode()
            sig = signature_header(
                app_id=page.app_id,
                raw_body=raw,
                timestamp=payload["timestamp"],
                oa_secret_key=page.oa_secret_key,
            )
            resp = http.post(
                base_url + "/webhooks/zalo/", content=raw, headers={"X-ZEvent-Signature": sig}
            )
            t200 = time.monotonic()
            if resp.status_code != 200:
                raise RuntimeError(f"webhook answered {resp.status_code}")
            return seq, t200

        send()  # warm the worker (triage model, caches)
        time.sleep(5)
        print(f"database: {env['DATABASE_URL'].split('://')[0]}   events per N: {args.events}")
        print(f"{'N':>6} {'p50 ms':>8} {'p99 ms':>8} {'last p50':>9} {'last p99':>9}  missing")
        for n in [int(x) for x in args.clients.split(",")]:
            clients = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "bench" / "live_fanout.py"),
                    "--_clients-mode",
                    "127.0.0.1",
                    str(live_port),
                    cookie,
                    str(n),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**env, "BENCH_SEQ_PATTERN": r"BENCH#(\d+)"},
            )
            assert clients.stdout is not None and clients.stdin is not None
            if clients.stdout.readline().strip() != "READY":
                raise RuntimeError("clients did not connect")
            time.sleep(0.5)
            sent = dict(send() for _ in range(args.events) if not time.sleep(args.interval))
            clients.stdin.write(f"{len(sent)}\n")
            clients.stdin.flush()
            arrivals = {int(k): v for k, v in json.loads(clients.stdout.readline()).items()}
            clients.wait(timeout=60)
            all_ms, last_ms, missing = [], [], 0
            for seq, t0 in sent.items():
                got = arrivals.get(seq, [])
                missing += n - len(got)
                if got:
                    all_ms += [(t - t0) * 1000 for t in got]
                    last_ms.append((max(got) - t0) * 1000)
            print(
                f"{n:>6} {pct(all_ms, 50):8.1f} {pct(all_ms, 99):8.1f} "
                f"{pct(last_ms, 50):9.1f} {pct(last_ms, 99):9.1f}  {missing}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"calibration: sum(range(1000)) best of 5 = {calibration_us():.1f} µs")


if __name__ == "__main__":
    main()
