"""`enqueue_many` writes, in one INSERT, the rows `enqueue` writes one by one."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from binhyen.cases.services.common import enqueue, enqueue_many

TASK = "binhyen.channels.tasks.deliver_message"
FIELDS = ("args_kwargs", "priority", "task_path", "queue_name", "run_after", "backend_name")
FIELDS += ("status",)


def test_enqueue_many_writes_the_rows_enqueue_writes(db):
    enqueue(TASK, 41)
    one = DBTaskResult.objects.values(*FIELDS).get()
    DBTaskResult.objects.all().delete()

    with CaptureQueriesContext(connection) as ctx:
        enqueue_many(TASK, [(41,), (42,), (43,)])
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1

    rows = list(DBTaskResult.objects.values(*FIELDS).order_by("enqueued_at", "args_kwargs"))
    assert sorted(r["args_kwargs"]["args"][0] for r in rows) == [41, 42, 43]
    for row in rows:
        assert {**row, "args_kwargs": one["args_kwargs"]} == one
    assert len({r.id for r in DBTaskResult.objects.all()}) == 3


def test_enqueue_many_of_nothing_writes_nothing(db):
    with CaptureQueriesContext(connection) as ctx:
        enqueue_many(TASK, [])
    assert ctx.captured_queries == []
