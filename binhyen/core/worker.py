"""The background worker: one loop that applies inbound events, runs queued tasks
(django-tasks-db), and every few seconds runs the periodic jobs (safety nets, clocks,
token refresh).

Several workers may run against one PostgreSQL database: inbound events are claimed
with a compare-and-set UPDATE, tasks with SELECT … FOR UPDATE SKIP LOCKED, and every
periodic job is safe to run concurrently.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from binhyen.lib import memo

log = logging.getLogger("binhyen.worker")

# Jobs run on every loop iteration; each returns how much work it did.
_loop_jobs: list[tuple[str, Callable[[], int]]] = []
# Run once when a worker starts, before it takes work (loading models).
_warm_ups: list[tuple[str, Callable[[], object]]] = []
# Jobs run every `tick` seconds.
_periodic: list[tuple[str, Callable[[], object]]] = []
# Task path -> what to do with the arguments of a task whose worker died while running it,
# instead of running it again (a send that may have left is checked, never repeated).
_orphan_handlers: dict[str, Callable[[list[Any]], object]] = {}


def register_loop_job(name: str, fn: Callable[[], int]) -> None:
    if all(existing != name for existing, _ in _loop_jobs):
        _loop_jobs.append((name, fn))


def register_warm_up(name: str, fn: Callable[[], object]) -> None:
    if all(existing != name for existing, _ in _warm_ups):
        _warm_ups.append((name, fn))


def register_periodic(name: str, fn: Callable[[], object]) -> None:
    if all(existing != name for existing, _ in _periodic):
        _periodic.append((name, fn))


def register_orphan_handler(task_path: str, fn: Callable[[list[Any]], object]) -> None:
    _orphan_handlers[task_path] = fn


def run_periodic_once() -> dict[str, object]:
    results: dict[str, object] = {}
    for name, fn in list(_periodic):
        try:
            results[name] = fn()
        except Exception:
            log.exception("periodic job %s failed", name)
            results[name] = "error"
    return results


def this_worker_id() -> str:
    """This process's worker id, as django-tasks-db records it on the tasks it claims."""
    return f"{socket.gethostname()}-{os.getpid()}"


def worker_is_gone(claimed_by: str) -> bool:
    """True when a worker id names a process of this host that no longer runs (killed with
    SIGKILL, out of memory): what it had claimed will never be finished by it. A worker of
    another host cannot be checked from here (False: the caller's time limit decides)."""
    host, sep, pid = claimed_by.rpartition("-")
    if not sep or host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def tasks_orphaned_requeue(own: str | None = None) -> int:
    """Periodic: a worker killed while running a task (SIGKILL, out of memory) leaves it
    RUNNING in django-tasks-db for ever: the case's triage, and so its acknowledgement,
    never came (found by `make proof`). Run it again (every task is safe to run twice), or
    hand it to the handler registered for its task. Each row is taken by a compare-and-set,
    so several workers may run this at once. Only workers of this host can be checked.

    `own`: the calling worker's id, when it is running no task itself (between tasks): its
    own RUNNING rows are orphans too (the database went away while it recorded a result)."""
    found = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "pk", "task_path", "args_kwargs", "worker_ids"
    )[:500]
    for pk, task_path, args_kwargs, worker_ids in running:
        claimed_by = str(worker_ids[-1]) if worker_ids else ""
        if not claimed_by or (claimed_by != own and not worker_is_gone(claimed_by)):
            continue
        handler = _orphan_handlers.get(task_path)
        row = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING)
        if handler is None:
            taken = row.update(status=TaskResultStatus.READY, started_at=None)
        else:
            taken = row.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="binhyen.core.worker.WorkerGone",
                traceback=f"worker {worker_ids[-1]} ended while running this task",
            )
        if not taken:
            continue
        found += 1
        log.warning(
            "task %s of a dead worker %s", task_path, "handed over" if handler else "queued again"
        )
        if handler is not None:
            args = args_kwargs.get("args") if isinstance(args_kwargs, dict) else None
            handler(list(args or []))
    return found


class BinhYenWorker:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        raise_errors: bool = False,
        queues: set[str] | None = None,
        loop_jobs: bool = True,
    ) -> None:
        self.worker_id = worker_id or this_worker_id()
        self.raise_errors = raise_errors
        self.queues = queues  # None: every queue
        self.loop_jobs = loop_jobs
        self.running = True
        # Until checked, rows RUNNING under this worker's id may be orphans: of a dead
        # process that had the same pid, or of a pass cut short (the database went away
        # while a task's result was being recorded).
        self.own_orphans_possible = True
        self._tasks = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def run_one_task(self) -> bool:
        """Claim and run one ready task, the way django-tasks-db's worker does."""

        with exclusive_transaction(DBTaskResult.objects.db):
            ready = DBTaskResult.objects.ready().filter(backend_name="default")
            if self.queues is not None:
                ready = ready.filter(queue_name__in=self.queues)
            task_result = ready.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self._tasks.run_task(task_result)
        if self.raise_errors:
            task_result.refresh_from_db()
            if task_result.status == "FAILED":
                raise RuntimeError(f"task {task_result.task_path} failed:\n{task_result.traceback}")
        return True

    def run_once(self, max_tasks: int = 20) -> int:
        """One pass over every kind of work; returns how much was done.

        A pass is one batch for `binhyen.lib.memo`: rules and places are read once per pass."""
        with memo.batch():
            return self._run_once(max_tasks)

    def _run_once(self, max_tasks: int) -> int:
        done = 0
        for name, job in list(_loop_jobs) if self.loop_jobs else []:
            try:
                done += job()
            except Exception:
                if self.raise_errors:
                    raise
                log.exception("loop job %s failed", name)
        for _ in range(max_tasks):
            if not self.run_one_task():
                break
            done += 1
        return done

    def warm_up(self) -> None:
        """Load what the first event needs (the triage model) before taking any work (the
        lanes that only talk to other servers or render reports do not need it)."""
        if self.queues is not None and "default" not in self.queues:
            return
        for name, fn in list(_warm_ups):
            try:
                fn()
            except Exception:
                log.exception("warm-up %s failed", name)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        log.info("worker %s stopping (%s)", self.worker_id, signal.strsignal(signum))
        self.running = False

    def run(self, *, interval: float = 0.2, tick: float | None = 15.0) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        periodic = "no periodic jobs" if tick is None else f"periodic jobs every {tick:.0f}s"
        queues = ", ".join(sorted(self.queues)) if self.queues else "all queues"
        log.info(
            "worker %s started (%s, poll %.2fs, %s)", self.worker_id, queues, interval, periodic
        )
        self.warm_up()
        next_tick = time.monotonic()
        while self.running:
            close_old_connections()
            if tick is not None and time.monotonic() >= next_tick:
                run_periodic_once()
                next_tick = time.monotonic() + tick
            try:
                if self.own_orphans_possible:
                    tasks_orphaned_requeue(own=self.worker_id)
                    self.own_orphans_possible = False
                done = self.run_once()
            except Exception:
                log.exception("worker pass failed")
                self.own_orphans_possible = True
                done = 0
            if not done:
                time.sleep(interval)


def run(
    *,
    interval: float = 0.2,
    tick: float | None = 15.0,
    queues: set[str] | None = None,
    loop_jobs: bool = True,
) -> None:
    BinhYenWorker(queues=queues, loop_jobs=loop_jobs).run(interval=interval, tick=tick)


def drain(max_rounds: int = 10_000, *, raise_errors: bool = True) -> int:
    """Do all work that is ready now, in this thread (tests, `worker --drain`).

    No sleeping and no closing of connections: a test's transaction stays intact.
    """
    worker = BinhYenWorker(worker_id="drain", raise_errors=raise_errors)
    total = 0
    for _ in range(max_rounds):
        done = worker.run_once()
        total += done
        if not done:
            break
    return total
