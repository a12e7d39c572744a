"""Proof under faults: nothing acknowledged is lost or applied twice while parts fail.

Loopback only, bounded in time and count. The harness starts everything itself:

- its own PostgreSQL cluster (initdb into a temporary directory, a free port), so it can
  stop it abruptly (`pg_ctl stop -m immediate`, or SIGKILL to the postmaster) without
  touching the shared server on 5432;
- the web server (gunicorn, like `binhyen serve`), the inbound worker and the sender lane
  as separate processes, restarted by a supervisor loop when they die (as `serve` does);
- a fake Zalo (the project's simulator, in this process) that plays the citizens and the
  OA API, and can be made slow, failing (HTTP 503, Zalo error -32) or unreachable.

While a load generator sends N signed webhooks at a steady rate (new citizens and
follow-ups, retried like Zalo retries until it gets a 200) and an officer replies through
the REST API (each reply with its own client token, retried with the same token), the
fault plan kills web processes and workers with SIGKILL, stops PostgreSQL abruptly and
starts it again, and turns the fake Zalo slow, failing and unreachable. Then it waits for
the backlog to drain and counts against the generator's own ledger:

    events acknowledged (HTTP 200) but missing or unprocessed      must be 0
    events applied twice (two messages for one provider id)        must be 0
    replies acknowledged (HTTP 201) but never delivered            must be 0
    messages delivered twice at the fake Zalo                      must be 0

It exits 1 when any of them is not 0 or the backlog did not drain in time.

    .venv/bin/python bench/proof.py                 # `make proof`: 200 events, every fault
    .venv/bin/python bench/proof.py --short         # `make proof-short` (CI): ~40 events
    .venv/bin/python bench/proof.py --events 20 --faults kill_web,kill_worker

docs/proof.md describes the faults, the ledger and measured figures.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
TERMINAL_EVENT = {"processed", "ignored"}
PENDING_OUT = {"queued", "sending", "uncertain"}

TIPS = [
    "Có nhóm thanh niên tụ tập đánh nhau trước cổng chợ {place}, có hung khí",
    "Nhà tôi ở {place} bị mất trộm xe máy đêm qua",
    "Xin hỏi thủ tục đăng ký tạm trú tại {place} cần giấy tờ gì",
    "Có người lạ gọi điện giả danh công an đòi chuyển tiền, tôi ở {place}",
    "Quán karaoke ở {place} mở nhạc rất to sau 12 giờ đêm",
    "Phát hiện một người nghi buôn bán ma túy gần trường học ở {place}",
    "Xe tải chở quá tải chạy qua {place} làm hỏng đường",
    "Cháy nhỏ ở kho hàng tại {place}, đã có người dập nhưng còn khói",
]
FOLLOW_UPS = [
    "Bổ sung: việc xảy ra khoảng 9 giờ tối",
    "Tôi có ảnh chụp biển số, cần gửi cho ai?",
    "Hiện giờ vẫn còn người tụ tập",
    "Cảm ơn, mong công an xử lý sớm",
]
PLACES = ["phường Tân Lợi", "phường Ea Tam", "xã Hòa Thắng", "phường Thành Nhất", "xã Ea Kao"]

# Each plan: (fraction of the load phase at which it starts, fault, seconds it lasts).
FULL_PLAN: list[tuple[float, str, float]] = [
    (0.06, "kill_worker", 0),
    (0.10, "zalo_slow", 8),
    (0.14, "kill_sender", 0),
    (0.18, "kill_web", 0),
    (0.24, "zalo_5xx", 6),
    (0.30, "kill_web_child", 0),
    (0.36, "pg_stop_immediate", 4),
    (0.46, "kill_worker", 0),
    (0.50, "zalo_down", 8),
    (0.56, "kill_web", 0),
    (0.62, "zalo_errors", 6),
    (0.66, "kill_sender", 0),
    (0.72, "pg_kill9", 4),
    (0.82, "kill_worker", 0),
    (0.86, "kill_web_child", 0),
    (0.90, "kill_web", 0),
]
SHORT_PLAN: list[tuple[float, str, float]] = [
    (0.15, "kill_worker", 0),
    (0.30, "kill_web", 0),
    (0.40, "zalo_5xx", 3),
    (0.55, "pg_stop_immediate", 3),
    (0.75, "zalo_down", 3),
    (0.85, "kill_web_child", 0),
]


def log(msg: str) -> None:
    print(f"[proof {time.strftime('%H:%M:%S', time.gmtime())}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def calibration() -> float:
    """Milliseconds for a fixed CPU job in this process: the machine's speed right now."""
    t0 = time.perf_counter()
    h = b"binhyen"
    for _ in range(200_000):
        h = hashlib.sha256(h).digest()
    return (time.perf_counter() - t0) * 1000


# --- PostgreSQL ---------------------------------------------------------------------------


class PgCluster:
    """A throw-away cluster: trust auth on 127.0.0.1, its own port and socket directory."""

    def __init__(self, base: Path) -> None:
        if not PG_BIN:
            raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = PG_BIN[-1].parent
        self.base = base
        self.data = base / "pgdata"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/binhyen_proof"
        # initdb refuses root: run the server as the `postgres` system user then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*self.as_user, *args], check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        subprocess.run(
            [
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "binhyen_proof",
            ],
            check=True,
        )

    def own(self, path: Path, recursive: bool = False) -> None:
        """The cluster's directories belong to the user the server runs as."""
        if self.as_user:
            subprocess.run(
                ["chown", *(["-R"] if recursive else []), "postgres", str(path)], check=True
            )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c max_connections=60 -c shared_buffers=32MB"
        )
        # After SIGKILL the old backends take a moment to notice and release shared memory.
        for attempt in range(40):
            done = self._run(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                opts,
                "-l",
                str(self.base / "postgres.log"),
                "-w",
                "-t",
                "60",
                "start",
                check=False,
            )
            if done.returncode == 0:
                return
            time.sleep(0.25 + attempt * 0.05)
        raise RuntimeError("PostgreSQL did not start again: " + done.stderr.decode()[-500:])

    def stop_immediate(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def kill9(self) -> None:
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop", check=False)


# --- the application's processes -----------------------------------------------------------


class Processes:
    """web (gunicorn), worker (inbound + clocks + periodic), sender (outbound lane)."""

    def __init__(self, env: dict[str, str], port: int, logs: Path, web_workers: int) -> None:
        py = sys.executable
        self.env = env
        self.logs = logs
        self.commands = {
            "web": [
                py,
                "-m",
                "gunicorn",
                "binhyen.wsgi:application",
                "--config",
                "python:binhyen.core.gunicorn_conf",  # the worker hook of `binhyen serve`
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(web_workers),
                "--worker-class",
                "sync",
                "--timeout",
                "30",
                "--log-level",
                "warning",
            ],
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
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        self.stopping = False
        self._thread = threading.Thread(target=self._supervise, daemon=True)

    def start(self) -> None:
        for name in self.commands:
            self._spawn(name)
        self._thread.start()

    def _spawn(self, name: str) -> None:
        out = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            self.commands[name],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: SIGKILL reaches gunicorn's children too
            cwd=ROOT,
        )

    def _supervise(self) -> None:
        # Like `binhyen serve` (and systemd above it): what dies is started again.
        while not self.stopping:
            with self.lock:
                for name, proc in self.procs.items():
                    if proc.poll() is not None and not self.stopping:
                        self.restarts[name] += 1
                        self._spawn(name)
            time.sleep(0.5)

    def kill(self, name: str) -> None:
        with self.lock:
            proc = self.procs[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def kill_web_child(self) -> bool:
        """SIGKILL one gunicorn worker (the master replaces it)."""
        master = self.procs["web"].pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return False
        if not children:
            return False
        os.kill(int(random.choice(children)), signal.SIGKILL)
        return True

    def stop(self) -> None:
        self.stopping = True
        self._thread.join(timeout=5)
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# --- the ledger ---------------------------------------------------------------------------


@dataclass
class EventEntry:
    msg_id: str
    user_id: str
    new_citizen: bool
    sent_at: float
    attempts: int = 0
    acked: bool = False
    statuses: list[int] = field(default_factory=list)


@dataclass
class ReplyEntry:
    token: str
    case_id: int
    marker: str
    attempts: int = 0
    acked: bool = False
    statuses: list[int] = field(default_factory=list)


@dataclass
class Ledger:
    events: dict[str, EventEntry] = field(default_factory=dict)
    replies: dict[str, ReplyEntry] = field(default_factory=dict)
    faults: list[tuple[float, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- the run --------------------------------------------------------------------------------


class Proof:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.base = Path(tempfile.mkdtemp(prefix="binhyen-proof-"))
        os.chmod(self.base, 0o755)
        self.logs = self.base / "logs"
        self.logs.mkdir()
        self.var = self.base / "var"
        self.var.mkdir()
        self.ledger = Ledger()
        self.web_port = free_port()
        self.zalo_port = free_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.pg = PgCluster(self.base)
        self.t0 = 0.0
        self.load_done = threading.Event()
        self.sender_gate = threading.Semaphore(args.concurrency)

    # setup

    def env(self) -> dict[str, str]:
        env = os.environ.copy()
        env.update(
            {
                "DATABASE_URL": self.pg.url,
                "BINHYEN_VAR_DIR": str(self.var),
                "BINHYEN_ENV": "demo",
                "DJANGO_SETTINGS_MODULE": "binhyen.settings",
                "ZALO_OPENAPI_URL": f"http://127.0.0.1:{self.zalo_port}",
                "ZALO_OAUTH_URL": f"http://127.0.0.1:{self.zalo_port}",
                "BINHYEN_MEDIA_HOSTS": "127.0.0.1",
                "BINHYEN_AUDIT_ANCHOR_FILE": str(self.var / "audit-anchors.log"),
            }
        )
        env.pop("BINHYEN_INBOX_DATABASE", None)
        return env

    def setup(self) -> None:
        env = self.env()
        log(f"PostgreSQL cluster in {self.base} on port {self.pg.port}")
        cache = ROOT / "var" / "proof-cache" / self._cache_key()
        t = time.monotonic()
        self.pg.own(self.base)
        if cache.is_dir() and not self.args.no_cache:
            # The migrated demo world of an earlier run with the same migrations and data.
            shutil.copytree(cache / "pgdata", self.pg.data, symlinks=True)
            shutil.copytree(cache / "var", self.var, symlinks=True, dirs_exist_ok=True)
            self.pg.own(self.pg.data, recursive=True)
            self.pg.start()
            log(f"demo world restored from {cache} in {time.monotonic() - t:.1f} s")
        else:
            self.pg.init()
            binhyen = [sys.executable, "-m", "binhyen.cli"]
            subprocess.run([*binhyen, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
            subprocess.run(
                [*binhyen, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT
            )
            log(f"migrated and loaded the demo world in {time.monotonic() - t:.1f} s")
            if not self.args.no_cache:
                self.pg.stop()
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix="new-", dir=cache.parent))
                shutil.copytree(self.pg.data, tmp / "pgdata", symlinks=True)
                shutil.copytree(self.var, tmp / "var", symlinks=True)
                try:
                    tmp.rename(cache)
                except OSError:  # another run cached it first
                    shutil.rmtree(tmp, ignore_errors=True)
                for old in cache.parent.iterdir():  # worlds of older migrations (50 MB each)
                    if old.name != cache.name and not old.name.startswith("new-"):
                        shutil.rmtree(old, ignore_errors=True)
                self.pg.start()
        self._triage_model(env)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "BINHYEN_VAR_DIR", "BINHYEN_ENV")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "binhyen.settings"
        import logging

        import django

        django.setup()
        # The simulator logs every refused webhook; the ledger counts them instead.
        logging.getLogger("binhyen.simulator").setLevel(logging.ERROR)
        from binhyen.accounts.models import User
        from binhyen.accounts.services import api_token_create
        from binhyen.simulator.model import load_pages
        from binhyen.simulator.server import SimulatorServer

        _row, self.api_token = api_token_create(
            user=User.objects.get(username=self.args.officer), name="proof"
        )
        pages = load_pages(str(self.var / "simulator-pages.json"))
        # Citizens write to a handful of commune pages (several units, several workers' work).
        self.pages = pages[2 : 2 + self.args.pages]
        self.zalo = SimulatorServer(
            pages,
            f"{self.web_url}/webhooks/zalo/",
            port=self.zalo_port,
            echo=False,
            receipts=False,
            webhook_timeout=5.0,
        )
        self.zalo.start()
        self.zalo_up = True
        self.procs = Processes(env, self.web_port, self.logs, self.args.web_workers)
        self.procs.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.web_url + "/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"the web server did not start: see {self.logs}/web.log")

    def _cache_key(self) -> str:
        """What the migrated demo world depends on: migrations, the demo, its data."""
        h = hashlib.sha256(str(self.pg.bin).encode())
        files = [
            *sorted(ROOT.glob("binhyen/**/migrations/*.py")),
            *sorted(ROOT.glob("binhyen/demo/*.py")),
            *sorted(p for p in (ROOT / "binhyen" / "data").rglob("*") if p.is_file()),
            *sorted(ROOT.glob("binhyen/*/services.py")),
            *sorted(ROOT.glob("binhyen/*/services/*.py")),
        ]
        for path in files:
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
        return h.hexdigest()[:16]

    def _triage_model(self, env: dict[str, str]) -> None:
        """Like `make demo`: the default model on disk, so the first tip does not train it."""
        check = (
            "import json,sys; from binhyen.lib.triage.training import expected_default_version"
            " as v; sys.exit(json.load(open('var/triage/model.json'))['version'] != v())"
        )
        ok = subprocess.run(
            [sys.executable, "-c", check], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
        )
        if ok.returncode != 0:
            log("building the default triage model (once)")
            subprocess.run(
                [sys.executable, "-m", "binhyen.lib.triage", "build", "var/triage/model.npz"],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )

    # load: citizens

    def _deliver(self, entry: EventEntry, payload: dict[str, Any]) -> None:
        """Like Zalo: retry until a 200, with back-off, for a bounded time."""
        give_up = time.monotonic() + self.args.webhook_retry_seconds
        delay = 0.5
        try:
            while True:
                status = self.zalo.send_event(payload).status
                with self.ledger.lock:
                    entry.attempts += 1
                    entry.statuses.append(status)
                    if status == 200:
                        entry.acked = True
                if status == 200 or time.monotonic() > give_up:
                    return
                time.sleep(delay)
                delay = min(delay * 2, 4.0)
        finally:
            self.sender_gate.release()

    def citizens(self) -> None:
        from binhyen.simulator import events as sim_events

        rng = random.Random(self.args.seed)
        known: list[tuple[str, str]] = []
        interval = 1.0 / self.args.rate
        start = time.monotonic()
        threads = []
        for i in range(self.args.events):
            target = start + i * interval
            time.sleep(max(0.0, target - time.monotonic()))
            follow_up = known and rng.random() < 0.35
            if follow_up:
                oa_id, user_id = rng.choice(known)
                text = f"{rng.choice(FOLLOW_UPS)} (tin {i})"
            else:
                oa_id = rng.choice(self.pages).oa_id
                user_id = str(7_100_000_000_000_000_000 + i)
                known.append((oa_id, user_id))
                text = rng.choice(TIPS).format(place=rng.choice(PLACES)) + f" (tin {i})"
            page = self.zalo.page(oa_id)
            citizen = self.zalo.register_citizen(oa_id, user_id)
            msg_id = sim_events.new_msg_id()
            now_ms = self.zalo.now_ms()
            with self.zalo._lock:
                citizen.last_interaction_ms = now_ms
                self.zalo.inbound_msgs[msg_id] = (oa_id, user_id)
            payload = sim_events.user_send_text(
                app_id=page.app_id,
                oa_id=oa_id,
                user_id=user_id,
                user_id_by_app=citizen.user_id_by_app,
                text=text,
                msg_id=msg_id,
                ts_ms=now_ms,
            )
            entry = EventEntry(msg_id, user_id, not follow_up, time.monotonic())
            with self.ledger.lock:
                self.ledger.events[msg_id] = entry
            self.sender_gate.acquire()
            t = threading.Thread(target=self._deliver, args=(entry, payload), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        self.load_done.set()

    # load: the officer

    def officer(self) -> None:
        headers = {"Authorization": f"Bearer {self.api_token}"}
        replied: set[int] = set()
        n = 0
        with httpx.Client(base_url=self.web_url, headers=headers, timeout=10) as client:
            while not self.load_done.is_set() and n < self.args.replies:
                time.sleep(self.args.reply_every)
                try:
                    r = client.get("/api/v1/cases", params={"page_size": 20})
                    rows = r.json().get("items", []) if r.status_code == 200 else []
                except (httpx.HTTPError, ValueError):
                    continue
                fresh = [c["id"] for c in rows if c["id"] not in replied]
                if not fresh:
                    continue
                case_id = fresh[0]
                replied.add(case_id)
                n += 1
                token = secrets.token_hex(12)
                marker = f"[proof-{n}-{token[:8]}]"
                entry = ReplyEntry(token, case_id, marker)
                with self.ledger.lock:
                    self.ledger.replies[token] = entry
                body = {
                    "text": f"Công an đã nhận tin, đang xác minh. {marker}",
                    "client_token": token,
                }
                give_up = time.monotonic() + self.args.webhook_retry_seconds
                while time.monotonic() < give_up:
                    try:
                        status = client.post(
                            f"/api/v1/cases/{case_id}/replies", json=body
                        ).status_code
                    except httpx.HTTPError:
                        status = 0
                    entry.attempts += 1
                    entry.statuses.append(status)
                    if status == 201:
                        entry.acked = True
                        break
                    if 400 <= status < 500:
                        break  # refused (window closed, not allowed): the officer sees why
                    time.sleep(1)

    # faults

    def _fault(self, name: str, duration: float) -> None:
        at = time.monotonic() - self.t0
        note = ""
        if name == "kill_web":
            self.procs.kill("web")
        elif name == "kill_web_child":
            note = "" if self.procs.kill_web_child() else "(no child found)"
        elif name in {"kill_worker", "kill_sender"}:
            self.procs.kill(name.removeprefix("kill_"))
        elif name == "pg_stop_immediate":
            self.pg.stop_immediate()
            time.sleep(duration)
            self.pg.start()
        elif name == "pg_kill9":
            self.pg.kill9()
            time.sleep(duration)
            self.pg.start()
        elif name == "zalo_slow":
            self.zalo.inject_delay("/message/cs", self.args.slow_seconds, times=10_000)
            time.sleep(duration)
            self.zalo.clear_injections()
        elif name == "zalo_5xx":
            self.zalo.inject_http("/message/cs", 503, times=10_000)
            time.sleep(duration)
            self.zalo.clear_injections()
        elif name == "zalo_errors":
            self.zalo.inject("/message/cs", -32, times=10_000)  # request limit exceeded
            time.sleep(duration)
            self.zalo.clear_injections()
        elif name == "zalo_down":
            self.zalo.stop()
            time.sleep(duration)
            self.zalo.start()
        else:
            raise ValueError(f"unknown fault {name}")
        took = time.monotonic() - self.t0 - at
        with self.ledger.lock:
            self.ledger.faults.append((at, name, note or (f"{took:.1f} s" if took >= 0.5 else "")))
        log(f"fault {name} at {at:.1f} s {note}")

    def faults(self, plan: list[tuple[float, str, float]]) -> None:
        load_seconds = self.args.events / self.args.rate
        for fraction, name, duration in plan:
            wait = self.t0 + fraction * load_seconds - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._fault(name, duration)

    # counting

    def snapshot(self) -> dict[str, int]:
        from django.db import connections
        from django.db.models import Q
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult, get_date_max

        from binhyen.cases.models import Message
        from binhyen.channels.models import InboundEvent

        connections.close_all()
        waiting = InboundEvent.objects.filter(
            Q(status__in=["received", "processing"])
            | Q(status="failed", attempts__lt=5)  # still to be retried
        ).count()
        outbound = Message.objects.filter(direction="out", delivery__in=PENDING_OUT).count()
        # Queued work (triage of each new message, deliveries, reconciliations): due now or
        # still held by a worker. A task held by a killed worker never finishes by itself.
        # (django-tasks-db: run_after = the maximum date means "now"). The weekly reports'
        # lane is not started here: its queue is left out.
        tasks = (
            DBTaskResult.objects.exclude(queue_name="reports")
            .filter(
                Q(status="READY", run_after__lte=timezone.now())
                | Q(status="READY", run_after=get_date_max())
                | Q(status="RUNNING")
            )
            .count()
        )
        return {"events_waiting": waiting, "outbound_pending": outbound, "tasks_due": tasks}

    def drain(self) -> tuple[float | None, dict[str, int]]:
        start = time.monotonic()
        deadline = start + self.args.drain_timeout
        last: dict[str, int] = {}
        next_note = start
        while time.monotonic() < deadline:
            try:
                last = self.snapshot()
            except Exception as exc:  # the database may still be recovering
                last = {"error": 1}
                log(f"snapshot failed: {type(exc).__name__}")
            if last and not any(last.values()):
                return time.monotonic() - start, last
            if time.monotonic() >= next_note:
                log(f"draining: {last}")
                next_note = time.monotonic() + 15
            time.sleep(0.5)
        return None, last

    def count(self) -> dict[str, Any]:
        from django.db import connections
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        from binhyen.cases.models import Case, Message
        from binhyen.channels.models import InboundEvent
        from binhyen.triage.models import Suggestion
        from binhyen.vault.store import identity_system_value

        connections.close_all()
        ev = self.ledger.events
        tasks = collections.Counter(
            DBTaskResult.objects.values_list("status", flat=True).order_by()
        )
        held = collections.Counter(
            DBTaskResult.objects.filter(status="RUNNING").values_list("task_path", flat=True)
        )
        acked = {m for m, e in ev.items() if e.acked}
        keys = {f"user_send_text:{m}": m for m in ev}
        rows = list(
            InboundEvent.objects.filter(key__in=list(keys)).values_list(
                "key", "status", "received_at", "processed_at"
            )
        )
        stored = {keys[k]: s for k, s, _r, _p in rows}
        # What an officer waits for: from the stored webhook to the event applied.
        waits = sorted((p - r).total_seconds() for _k, _s, r, p in rows if p is not None)
        missing = sorted(m for m in acked if m not in stored)
        unprocessed = sorted(m for m in acked if m in stored and stored[m] not in TERMINAL_EVENT)
        msgs = collections.Counter(
            Message.objects.filter(provider_message_id__in=list(ev)).values_list(
                "provider_message_id", flat=True
            )
        )
        applied_twice = sorted(m for m, n in msgs.items() if n > 1)
        not_applied = sorted(m for m in acked if msgs.get(m, 0) == 0)
        cases_without_message = Case.objects.annotate(n=Count("messages")).filter(n=0).count()
        cases = Case.objects.count()

        replies = self.ledger.replies
        sent_texts = collections.Counter(s["text"] for s in self.zalo.sent if s.get("text"))
        marker_seen = {
            t: sum(n for text, n in sent_texts.items() if r.marker in text)
            for t, r in replies.items()
        }
        by_token = dict(
            Message.objects.filter(client_token__in=list(replies)).values_list(
                "client_token", "delivery"
            )
        )
        replies_acked = [t for t, r in replies.items() if r.acked]
        replies_lost = sorted(t for t in replies_acked if marker_seen[t] == 0)
        replies_twice = sorted(t for t, n in marker_seen.items() if n > 1)
        replies_not_stored = sorted(t for t in replies_acked if t not in by_token)

        # Every outbound message (automatic acknowledgements too): what the fake Zalo
        # received per (citizen, text) against what BinhYen holds.
        db_out: collections.Counter[tuple[str, str]] = collections.Counter()
        failed_out = 0
        for m in Message.objects.filter(direction="out").select_related(
            "conversation__contact__identity"
        ):
            if m.delivery == "failed":
                failed_out += 1
            if m.conversation is None:
                continue
            uid = identity_system_value(m.conversation.contact.identity, "zalo_user_id") or ""
            db_out[(uid, m.text)] += 1
        sim_out = collections.Counter((s["user_id"], s.get("text") or "") for s in self.zalo.sent)
        sent_twice = sum(max(0, n - db_out.get(k, 0)) for k, n in sim_out.items())
        return {
            "events": len(ev),
            "new_citizens": sum(1 for e in ev.values() if e.new_citizen),
            "acked": len(acked),
            "not_acked": len(ev) - len(acked),
            "webhook_attempts": sum(e.attempts for e in ev.values()),
            "redelivered": sum(1 for e in ev.values() if e.attempts > 1),
            "missing": missing,
            "unprocessed": unprocessed,
            "not_applied": not_applied,
            "applied_twice": applied_twice,
            "wait_p50": waits[len(waits) // 2] if waits else None,
            "wait_p99": waits[min(len(waits) - 1, round(0.99 * (len(waits) - 1)))]
            if waits
            else None,
            "wait_max": waits[-1] if waits else None,
            "cases": cases,
            "cases_without_message": cases_without_message,
            "cases_never_triaged": Case.objects.exclude(
                pk__in=Suggestion.objects.values("case_id")
            ).count(),
            "tasks": dict(tasks),
            "tasks_held": sum(held.values()),
            "tasks_held_by_path": dict(held),
            "replies": len(replies),
            "replies_acked": len(replies_acked),
            "replies_attempts": sum(r.attempts for r in replies.values()),
            "replies_lost": replies_lost,
            "replies_not_stored": replies_not_stored,
            "replies_twice": replies_twice,
            "replies_delivered": sum(1 for t in replies_acked if marker_seen[t] == 1),
            "outbound_total": sum(db_out.values()),
            "outbound_at_zalo": sum(sim_out.values()),
            "outbound_failed": failed_out,
            "sent_twice": sent_twice,
        }

    # main

    def run(self) -> int:
        args = self.args
        ref_ms = calibration()
        load_before = os.getloadavg()[0]
        try:
            self.setup()
            plan = [p for p in (SHORT_PLAN if args.short else FULL_PLAN)]
            if args.faults:
                # Each named fault once, spread evenly over the load; 3 s for those that last.
                wanted = [name.strip() for name in args.faults.split(",") if name.strip()]
                unknown = set(wanted) - {name for _at, name, _d in FULL_PLAN}
                if unknown:
                    raise SystemExit(f"unknown faults: {', '.join(sorted(unknown))}")
                plan = [((i + 1) / (len(wanted) + 1), n, 3.0) for i, n in enumerate(wanted)]
            log(
                f"load: {args.events} webhooks at {args.rate}/s, officer replies every "
                f"{args.reply_every} s; faults: {', '.join(p[1] for p in plan)}"
            )
            self.t0 = time.monotonic()
            load = threading.Thread(target=self.citizens)
            officer = threading.Thread(target=self.officer)
            faults = threading.Thread(target=self.faults, args=(plan,))
            for t in (load, officer, faults):
                t.start()
            for t in (load, officer, faults):
                t.join()
            recovered = time.monotonic() - self.t0
            log(f"load and faults over at {recovered:.1f} s; waiting for the backlog to drain")
            drained, left = self.drain()
            result = self.count()
        finally:
            if hasattr(self, "procs"):
                self.procs.stop()
            if hasattr(self, "zalo") and self.zalo_up:
                self.zalo.stop()
            self.pg.stop()
        ref_after = calibration()
        return self.report(result, drained, left, recovered, (ref_ms, ref_after, load_before))

    def report(
        self,
        r: dict[str, Any],
        drained: float | None,
        left: dict[str, int],
        recovered: float,
        ref: tuple[float, float, float],
    ) -> int:
        must_be_zero = {
            "events acknowledged but missing (no stored event)": len(r["missing"]),
            "events acknowledged but not processed": len(r["unprocessed"]),
            "events acknowledged, no message in a case": len(r["not_applied"]),
            "events applied twice (messages per provider id > 1)": len(r["applied_twice"]),
            "cases without any message (half-applied)": r["cases_without_message"],
            "tasks left running by a killed worker (never finish)": r["tasks_held"],
            "replies acknowledged but not stored": len(r["replies_not_stored"]),
            "replies acknowledged but never delivered": len(r["replies_lost"]),
            "replies delivered twice": len(r["replies_twice"]),
            "outbound messages delivered twice (all kinds)": r["sent_twice"],
        }
        restarts = dict(self.procs.restarts) if hasattr(self, "procs") else {}
        lines = [
            "",
            "Proof under faults (PostgreSQL, loopback)",
            f"  reference: sha256 x200k {ref[0]:.0f} ms before, {ref[1]:.0f} ms after"
            f" (load average {ref[2]:.2f} at start)",
            f"  webhooks sent: {r['events']} ({r['new_citizens']} new citizens), "
            f"acknowledged {r['acked']}, given up {r['not_acked']}, "
            f"attempts {r['webhook_attempts']} ({r['redelivered']} redelivered)",
            f"  officer replies: requested {r['replies']}, acknowledged {r['replies_acked']} "
            f"({r['replies_attempts']} requests), delivered once {r['replies_delivered']}",
            f"  outbound messages: {r['outbound_total']} in BinhYen, "
            f"{r['outbound_at_zalo']} received by the fake Zalo, failed {r['outbound_failed']}",
            f"  cases: {r['cases']}; webhook stored -> event applied: p50 {_s(r['wait_p50'])}, "
            f"p99 {_s(r['wait_p99'])}, max {_s(r['wait_max'])}",
            f"  cases never triaged: {r['cases_never_triaged']}; queued tasks by state: "
            f"{r['tasks']}; held: {r['tasks_held_by_path'] or 0}",
            f"  restarts after SIGKILL: {restarts}",
            "  faults: "
            + "; ".join(
                f"{at:.0f}s {name}{' ' + note if note else ''}"
                for at, name, note in self.ledger.faults
            ),
            f"  load and faults over at {recovered:.1f} s; "
            + (
                f"backlog drained {drained:.1f} s later"
                if drained is not None
                else f"NOT drained within {self.args.drain_timeout:.0f} s: {left}"
            ),
            "",
            f"  {'must be 0':<56} count",
        ]
        for label, value in must_be_zero.items():
            lines.append(f"  {label:<56} {value:>5}{'' if value == 0 else '   <-- FAIL'}")
        print("\n".join(lines))
        detail = {
            k: r[k][:10]
            for k in (
                "missing",
                "unprocessed",
                "not_applied",
                "applied_twice",
                "replies_lost",
                "replies_twice",
                "replies_not_stored",
            )
            if r[k]
        }
        if detail:
            print("  first offenders:", json.dumps(detail))
        failed = any(must_be_zero.values()) or drained is None
        if self.args.json:
            Path(self.args.json).write_text(
                json.dumps(
                    {
                        "must_be_zero": must_be_zero,
                        "drained_seconds": drained,
                        "left": left,
                        "recovered_at": recovered,
                        "reference_ms": ref[:2],
                        "restarts": restarts,
                        "faults": self.ledger.faults,
                        **{k: v for k, v in r.items() if not isinstance(v, list)},
                    },
                    indent=1,
                )
            )
        if failed:
            print(f"  logs kept in {self.base}/logs")
        elif not self.args.keep:
            shutil.rmtree(self.base, ignore_errors=True)
        print("  RESULT:", "FAIL" if failed else "PASS")
        return 1 if failed else 0


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--short", action="store_true", help="the CI version (~40 events)")
    ap.add_argument("--events", type=int, default=None, help="webhooks to send (200; short 40)")
    ap.add_argument("--rate", type=float, default=None, help="webhooks per second (4; short 4)")
    ap.add_argument("--replies", type=int, default=1000, help="at most this many replies")
    ap.add_argument("--reply-every", type=float, default=1.5, help="seconds between replies")
    ap.add_argument(
        "--faults", default="", help="instead of the plan: these faults once each, in order"
    )
    ap.add_argument("--pages", type=int, default=6, help="Zalo pages the citizens write to")
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=32, help="webhooks in flight at most")
    ap.add_argument("--slow-seconds", type=float, default=2.0, help="delay of a slow Zalo")
    ap.add_argument("--webhook-retry-seconds", type=float, default=90.0)
    ap.add_argument("--drain-timeout", type=float, default=None, help="seconds (600; short 90)")
    ap.add_argument("--officer", default="trucban", help="demo user who replies")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--json", default="", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument(
        "--no-cache",
        action="store_true",
        help="migrate and load the demo world even if var/proof-cache has it",
    )
    args = ap.parse_args(argv)
    args.events = args.events or (40 if args.short else 200)
    args.rate = args.rate or 4.0
    # Long enough for a claim left by a killed worker to come back (inbox.STALE_CLAIM, 5 min,
    # released by the sweep every 15 s); the drain time is reported either way.
    args.drain_timeout = args.drain_timeout or (90.0 if args.short else 600.0)
    return args


if __name__ == "__main__":
    raise SystemExit(Proof(parse()).run())
