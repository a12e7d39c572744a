"""Live-channel test helpers: a real live server (uvicorn in a thread), raw SSE clients,
and a raw receiver on whichever transport the test database implies."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from django.conf import settings as django_settings
from django.test import Client

from binhyen.live.tests.sse import SSEClient


@pytest.fixture
def live_socket_dir(settings) -> Iterator[str]:
    # UNIX socket paths are limited to ~107 bytes: keep this one short.
    path = tempfile.mkdtemp(prefix="bylive-")
    settings.LIVE_SOCKET_DIR = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


class RunningLive:
    def __init__(self, app, server: uvicorn.Server, thread: threading.Thread, port: int):
        self.app = app
        self.server = server
        self.thread = thread
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.clients: list[SSEClient] = []

    def stream(self, cookie: str | None = None, **kwargs) -> SSEClient:
        client = SSEClient("127.0.0.1", self.port, session=cookie, **kwargs)
        self.clients.append(client)
        return client

    def wait_streams(self, n: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.app.hub.streams) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.app.hub.streams)} streams, expected {n}")
            time.sleep(0.01)


@pytest.fixture
def live_app(transactional_db, live_socket_dir, settings) -> Iterator[RunningLive]:
    """The live server, in this process, on a free port, against the test database."""
    from binhyen.live.server import LiveApp

    settings.LIVE_HEARTBEAT_SECONDS = "20"
    app = LiveApp()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning", access_log=False, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not (server.started and app.started.is_set()):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.01)
    running = RunningLive(app, server, thread, port)
    try:
        yield running
    finally:
        for client in running.clients:
            client.close()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def login():
    return session_cookie


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a `binhyen ...` child that uses this test run's database."""
    from django.db import connections

    env = os.environ.copy()
    default = connections["default"].settings_dict
    env["DJANGO_SETTINGS_MODULE"] = "binhyen.settings"
    env["BINHYEN_ENV"] = "test"
    env["BINHYEN_LOG_LEVEL"] = "WARNING"
    if default["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{default['NAME']}"
        env["BINHYEN_INBOX_DATABASE"] = str(connections["inbox"].settings_dict["NAME"])
    else:
        user = default.get("USER") or "postgres"
        host = default.get("HOST") or "127.0.0.1"
        port = default.get("PORT") or 5432
        password = f":{default['PASSWORD']}" if default.get("PASSWORD") else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{default['NAME']}"
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RawReceiver:
    """Stands where a live server would and records what publishers send."""

    def __init__(self) -> None:
        from binhyen.live import conf

        self.kind = conf.transport()
        if self.kind == "postgres":
            import psycopg

            from binhyen.live.transports import pg_conninfo

            self.conn = psycopg.connect(**pg_conninfo(), autocommit=True)
            self.conn.execute(f'LISTEN "{conf.pg_channel()}"')
        else:
            self.path = os.path.join(str(conf.socket_dir()), "live-test.sock")
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(self.path)

    def events(self, timeout: float = 0.5, until: int | None = None) -> list:
        from binhyen.live.events import Event, verify

        got: list = []
        deadline = time.monotonic() + timeout
        while until is None or len(got) < until:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if self.kind == "postgres":
                for note in self.conn.notifies(timeout=left, stop_after=1):
                    got.append(Event.from_wire(note.payload))
            else:
                self.sock.settimeout(left)
                try:
                    data = self.sock.recv(65536)
                except TimeoutError:
                    break
                body = verify(data)
                assert body is not None, "bad signature"
                got.append(Event.from_wire(body))
        return got

    def close(self) -> None:
        if self.kind == "postgres":
            self.conn.close()
        else:
            self.sock.close()
            os.unlink(self.path)


@pytest.fixture
def receiver(transactional_db, live_socket_dir) -> Iterator[RawReceiver]:
    r = RawReceiver()
    yield r
    r.close()
