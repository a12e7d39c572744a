"""Fan-out across processes: two `binhyen live` servers against this test database
receive what this process publishes (PostgreSQL LISTEN/NOTIFY, or on SQLite the UNIX
datagram sockets of every live server on the machine)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from binhyen import live
from binhyen.live.tests.conftest import free_port, is_postgres, subprocess_env
from binhyen.live.tests.sse import SSEClient

pytestmark = pytest.mark.slow


def start_live(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "binhyen.cli", "live", "--port", str(port)],
        env=env,
    )
    return proc, port


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"live server exited with {proc.returncode}")
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/live/healthz", timeout=1)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("live server did not become ready")


@pytest.fixture
def two_live_servers(transactional_db, live_socket_dir) -> Iterator[list[int]]:
    env = subprocess_env({"BINHYEN_LIVE_SOCKET_DIR": live_socket_dir})
    procs = [start_live(env) for _ in range(2)]
    try:
        for proc, port in procs:
            health = wait_ready(port, proc)
            assert health["transport"] == ("postgres" if is_postgres() else "unix")
        yield [port for _, port in procs]
    finally:
        for proc, _ in procs:
            proc.terminate()
        for proc, _ in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_one_publish_reaches_streams_on_two_live_server_processes(world, login, two_live_servers):
    duty = [
        SSEClient("127.0.0.1", port, session=login(world.duty), timeout=10)
        for port in two_live_servers
    ]
    tanan = [
        SSEClient("127.0.0.1", port, session=login(world.officer_tanan), timeout=10)
        for port in two_live_servers
    ]
    for client in duty + tanan:
        assert client.status == 200
        client.expect("hello", timeout=10)

    live.publish(
        unit_path=world.bmt.path, kind="case.new", payload={"code": "TB-77", "urgency": "critical"}
    )

    for client in duty:
        [msg] = client.messages(timeout=10, until=1)
        assert msg["json"]["payload"]["code"] == "TB-77"
    for client in tanan:
        assert client.messages(timeout=0.5) == []
    for client in duty + tanan:
        client.close()


def test_publisher_removes_sockets_of_dead_live_servers(
    transactional_db, world, live_socket_dir, settings
):
    settings.LIVE_TRANSPORT = "unix"
    import os
    import socket as socketlib

    stale = os.path.join(live_socket_dir, "live-999999-dead.sock")
    s = socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_DGRAM)
    s.bind(stale)
    s.close()  # bound once, nobody listening now
    live.publish(unit_path=world.bmt.path, kind="case.new", payload={"code": "TB-1"})
    assert not os.path.exists(stale)
