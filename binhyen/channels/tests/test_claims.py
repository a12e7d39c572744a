"""A worker killed with SIGKILL in the middle of an event: the event is processed by another
worker within seconds, once (PostgreSQL: the claim is a row lock that dies with the
connection; SQLite: the lease names its holder, whose death is seen on the next pass)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.test import Client

from binhyen.cases.models import Case, Message
from binhyen.channels import inbox
from binhyen.channels.models import ChannelAccount, InboundEvent
from binhyen.live.tests.conftest import subprocess_env
from binhyen.testing import make_world, post_zalo, secret_of, zalo_event

pytestmark = pytest.mark.slow

RECOVERY_SECONDS = 5.0


@contextmanager
def page_blocked(page: ChannelAccount) -> Iterator[None]:
    """Another connection holds what the worker writes first when it applies an event, so
    a worker that claimed the event waits there, in the middle of it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], timeout=30, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the main database's write lock
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with psycopg.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or None,
        dbname=settings["NAME"],
    ) as other:
        other.execute("SELECT 1 FROM channels_channelaccount WHERE id = %s FOR UPDATE", [page.pk])
        try:
            yield
        finally:
            other.rollback()


def worker_is_inside_the_event(pid: int, event: InboundEvent) -> bool:
    if connection.vendor == "sqlite":
        event.refresh_from_db()
        return event.status == InboundEvent.Status.PROCESSING and f":{pid}:" in event.claimed_by
    with connection.cursor() as cur:  # its backend waits for the page's row lock
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ['UPDATE "channels_channelaccount"%'],
        )
        return bool(cur.fetchone()[0])


def wait_for(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling another process, not waiting for time to pass


def test_event_of_a_worker_killed_mid_event_is_processed_within_seconds(transactional_db):
    world = make_world()
    page = world.bmt_page
    payload = zalo_event("user_send_text", page=page, text="Có trộm xe máy ở chợ, giúp với")
    assert post_zalo(Client(), payload, secret=secret_of(page)).status_code == 200
    event = InboundEvent.objects.get()

    env = subprocess_env()
    with page_blocked(page):
        worker = subprocess.Popen(
            [sys.executable, "-m", "binhyen.cli", "worker", "--queues", "default", "--no-periodic"],
            env=env,
        )
        try:
            wait_for(lambda: worker_is_inside_the_event(worker.pid, event), 60, "the claim")
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            if worker.poll() is None and worker.returncode is None:
                os.kill(worker.pid, signal.SIGKILL)
        # Not reaped yet on purpose: a killed process stays a zombie until its parent waits.
    try:
        killed = time.monotonic()

        def processed() -> bool:
            inbox.process_pending()
            event.refresh_from_db()
            return event.status == InboundEvent.Status.PROCESSED

        wait_for(processed, RECOVERY_SECONDS, "the event to be processed after the kill")
        assert time.monotonic() - killed < RECOVERY_SECONDS
    finally:
        worker.wait(timeout=10)
    assert Case.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 1
    assert event.attempts in {1, 2}  # counted once, or also the killed attempt (SQLite)


def test_claims_of_live_or_unknown_holders_are_kept() -> None:
    me = inbox.claimant()
    assert inbox.claimant_alive(me)
    assert inbox.claimant_alive("another-host:1:1")  # cannot tell: the timeout decides
    assert inbox.claimant_alive("")


def test_claim_of_a_dead_process_is_seen_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    holder = inbox.claimant().rsplit(":", 2)[0] + f":{child.pid}:{inbox._start_ticks(child.pid)}"
    assert inbox.claimant_alive(holder)
    child.kill()
    child.wait()
    assert not inbox.claimant_alive(holder)
