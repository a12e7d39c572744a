"""The background worker: django-tasks-db's worker loop plus a periodic tick.

The tick runs the safety nets and clocks (sweeping unprocessed events, due retries,
token refresh, and whatever later stages register). Several workers may run against one
PostgreSQL database: tasks are claimed with SKIP LOCKED, and every periodic job is safe
to run concurrently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

log = logging.getLogger("binhyen.worker")

_periodic: list[tuple[str, Callable[[], object]]] = []


def register_periodic(name: str, fn: Callable[[], object]) -> None:
    if all(existing != name for existing, _ in _periodic):
        _periodic.append((name, fn))


def run_periodic_once() -> dict[str, object]:
    results: dict[str, object] = {}
    for name, fn in list(_periodic):
        try:
            results[name] = fn()
        except Exception:
            log.exception("periodic job %s failed", name)
            results[name] = "error"
    return results


def _tick_loop(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        close_old_connections()
        try:
            run_periodic_once()
        finally:
            connection.close()


def run(*, interval: float = 0.2, tick: float = 15.0, worker_id: str | None = None) -> None:
    import os
    import socket

    stop = threading.Event()
    ticker = threading.Thread(target=_tick_loop, args=(stop, tick), daemon=True, name="tick")
    ticker.start()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=worker_id or f"{socket.gethostname()}-{os.getpid()}",
        excluded_queue_names=[],
    )
    worker.configure_signals()
    log.info("worker started (poll %.2fs, tick %.0fs)", interval, tick)
    try:
        worker.run()
    finally:
        stop.set()


def drain(max_tasks: int = 10_000, *, raise_errors: bool = True) -> int:
    """Run ready tasks in this thread until none is left (tests, `worker --drain`).

    Uses the worker's own claim-and-run path, but not its loop: the loop closes database
    connections between tasks, which would end a test's transaction.
    """
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="drain", excluded_queue_names=[],
    )
    ran = 0
    while ran < max_tasks:
        with exclusive_transaction(DBTaskResult.objects.db):
            task_result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if task_result is not None:
                task_result.claim("drain")
        if task_result is None:
            break
        worker.run_task(task_result)
        ran += 1
        if raise_errors:
            task_result.refresh_from_db()
            if task_result.status == "FAILED":
                raise RuntimeError(
                    f"task {task_result.task_path} failed:\n{task_result.traceback}"
                )
    return ran
