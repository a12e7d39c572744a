"""Running the simulator standalone: `python -m binhyen.simulator`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from binhyen.simulator import SimPage, load_pages
from binhyen.simulator.server import default_pages_path

from .helpers import call


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_demo_pages_file_loads() -> None:
    pages = load_pages(default_pages_path())

    assert len(pages) >= 2 and all(isinstance(p, SimPage) for p in pages)
    assert len({p.oa_id for p in pages}) == len(pages)


def test_a_pages_file_entry_must_be_complete(tmp_path: Path) -> None:
    path = tmp_path / "pages.json"
    path.write_text(json.dumps([{"oa_id": "1", "name": "x"}]), encoding="utf-8")

    with pytest.raises(ValueError, match="app_id"):
        load_pages(path)


@pytest.mark.parametrize("module", ["binhyen.simulator", "binhyen.simulator.server"])
def test_main_serves_the_phone_and_the_api_until_interrupted(tmp_path: Path, module: str) -> None:
    pages = tmp_path / "pages.json"
    pages.write_text(
        json.dumps(
            [
                {
                    "oa_id": "2345678901234567890",
                    "app_id": "1234567890123456789",
                    "oa_secret_key": "s1",
                    "app_secret_key": "s2",
                    "name": "Công an xã Ea Kao",
                    "access_token": "tok",
                    "refresh_token": "ref",
                }
            ]
        ),
        encoding="utf-8",
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "binhyen.simulator",
            "--port",
            str(port),
            "--pages",
            str(pages),
            "--webhook-url",
            "http://127.0.0.1:9/webhook",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                status, html, _h = call(base, "GET", "/")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        _s, oa, _h = call(base, "GET", "/v2.0/oa/getoa", token="tok")

        assert status == 200 and "Công an xã Ea Kao".encode() in html
        assert oa["data"]["oa_id"] == "2345678901234567890"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
