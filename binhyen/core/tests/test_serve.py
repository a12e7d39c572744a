"""`binhyen serve` starts its worker lanes at a lower CPU priority than the web and live
servers (BINHYEN_WORKER_NICE, --worker-nice): on a small machine intake wins the cores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from django.core.management import call_command

from binhyen.core.management.commands import serve
from binhyen.triage import engine


def _expected(increment: int) -> int:
    return min(19, os.getpriority(os.PRIO_PROCESS, 0) + increment)


def test_a_lane_child_runs_at_the_configured_niceness(tmp_path):
    out = tmp_path / "nice.txt"
    script = "import os, sys; open(sys.argv[1], 'w').write(str(os.nice(0)))"
    proc = serve.lane_popen([sys.executable, "-c", script, str(out)], dict(os.environ), 7)
    assert proc.wait(timeout=30) == 0
    assert int(out.read_text()) == _expected(7)


def _run_serve(monkeypatch, *options: str, commands: list | None = None) -> dict[str, int]:
    """Run the real `serve` with every child replaced by a sleeping Python that received the
    same pre-exec step; returns each child's niceness as the kernel reports it."""
    real_popen = subprocess.Popen
    seen: dict[str, int] = {}
    children: list[subprocess.Popen[bytes]] = []

    def fake_popen(cmd, *args, preexec_fn=None, **kwargs):
        if commands is not None:
            commands.append(list(cmd))
        if "gunicorn" in cmd:
            name, seconds = "web", 1.5  # the web server "exits": serve stops everything
        elif "live" in cmd:
            name, seconds = "live", 60
        else:
            name, seconds = "lane " + cmd[cmd.index("--queues") + 1], 60
        proc = real_popen(
            [sys.executable, "-c", f"import time; time.sleep({seconds})"], preexec_fn=preexec_fn
        )
        children.append(proc)
        seen[name] = os.getpriority(os.PRIO_PROCESS, proc.pid)
        return proc

    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    monkeypatch.setattr(engine, "default_model_ensure", lambda: False)
    monkeypatch.setattr(signal, "signal", lambda *a: None)  # the test runner keeps its own
    try:
        call_command("serve", "--port", "8799", *options)
    finally:
        for proc in children:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    return seen


def test_serve_starts_the_lanes_at_the_configured_niceness_and_the_servers_at_its_own(
    monkeypatch, settings
):
    settings.WORKER_NICE = 6
    seen = _run_serve(monkeypatch)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert seen == {
        "live": base,
        "lane default": _expected(6),
        "lane outbound": _expected(6),
        "lane reports": _expected(6),
        "web": base,
    }


@pytest.mark.parametrize(("option", "increment"), [("3", 3), ("0", 0), ("-5", 0), ("40", 19)])
def test_the_worker_nice_option_is_clamped_to_what_a_process_may_ask(
    monkeypatch, option, increment
):
    seen = _run_serve(monkeypatch, "--worker-nice", option, "--no-live")
    assert seen["lane default"] == _expected(increment)
    assert seen["web"] == os.getpriority(os.PRIO_PROCESS, 0)


def test_the_web_server_gets_the_worker_hooks(monkeypatch):
    commands: list[list[str]] = []
    _run_serve(monkeypatch, "--no-worker", commands=commands)
    web = next(c for c in commands if "gunicorn" in c)
    assert web[web.index("--config") + 1] == "python:binhyen.core.gunicorn_conf"


def test_a_web_worker_loads_its_views_and_freezes_what_start_up_left():
    import gc

    from django.urls import clear_url_caches, get_resolver

    from binhyen.core import gunicorn_conf

    clear_url_caches()
    assert "url_patterns" not in get_resolver().__dict__
    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(worker=None)
        assert "url_patterns" in get_resolver().__dict__  # loaded, not on the first request
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
