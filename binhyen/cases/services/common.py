"""Pieces shared by the case services."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from binhyen.cases import search
from binhyen.cases.models import Case, CaseEvent, Conversation, Message
from binhyen.lib import txbatch

if TYPE_CHECKING:
    from binhyen.accounts.models import User


class CaseError(Exception):
    """A use case was refused; the message is shown to the officer as is."""


def enqueue(task_path: str, *args: object, run_after: datetime | None = None) -> None:
    """Queue a background task in the current transaction (the queue is in the database,
    so the task exists exactly when the data it concerns was committed)."""
    task = import_string(task_path)
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(*args)


def enqueue_many(task_path: str, args_list: list[tuple[object, ...]]) -> None:
    """Queue the same background task for several argument lists in one INSERT (the
    database queue; any other backend: one `enqueue` each). The rows are those `enqueue`
    writes (`cases/tests/test_enqueue_many.py` compares them)."""
    if not args_list:
        return
    task = import_string(task_path)
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for args in args_list:
            task.enqueue(*args)
        return
    backend.validate_task(task)
    rows: list[DBTaskResult[Any, Any]] = [
        DBTaskResult(
            id=backend._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": {}}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            # What the model's pre_save signal does (bulk_create sends no signals).
            run_after=task.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for args in args_list
    ]
    DBTaskResult.objects.bulk_create(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)


def conversation_touch_inbound(conversation: Conversation, at: datetime) -> None:
    if conversation.last_inbound_at is None or at > conversation.last_inbound_at:
        conversation.last_inbound_at = at
        conversation.save(update_fields=["last_inbound_at"])


def case_touch(case: Case, at: datetime, *, inbound: bool, text: str = "") -> None:
    """A message arrived in the case: its times, "unread", and its text for search (in the
    same UPDATE, so searching costs the write path no query)."""
    fields = ["last_message_at"]
    case.last_message_at = max(case.last_message_at, at)
    if text:
        case.search_text = search.appended(case.search_text, text)
        fields.append("search_text")
    if inbound:
        case.last_inbound_at = at
        case.unread = True
        fields += ["last_inbound_at", "unread"]
    case.save(update_fields=fields)


def timeline_record(
    *,
    case: Case | int,
    kind: str,
    text: str,
    actor: User | None = None,
    at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """One row of a case's timeline: the only way any app writes one."""
    case_id = case if isinstance(case, int) else case.pk
    row = CaseEvent(
        case_id=case_id,
        at=at or timezone.now(),
        actor=actor,
        kind=kind,
        text=text[:500],
        data=data or {},
    )
    # Events sharing a transaction write their timelines in one INSERT (lib/txbatch.py).
    if not txbatch.defer(row):
        row.save(force_insert=True)
    return row


def timeline_in_batch(case: Case, kind: str) -> list[CaseEvent] | None:
    """The timeline rows of `kind` of a case opened in the worker's shared transaction
    (every row of its timeline was written in it, see `lib/txbatch.made`), in order; None
    for any other case (the caller queries)."""
    if not (getattr(case, "opened_in_batch", False) and txbatch.active()):
        return None
    return [r for r in txbatch.made(CaseEvent) if r.case_id == case.pk and r.kind == kind]


def timeline_record_many(rows: list[dict[str, Any]]) -> list[CaseEvent]:
    """Several timeline rows in one INSERT (each dict: the arguments of `timeline_record`)."""
    events = [
        CaseEvent(
            case_id=row["case"] if isinstance(row["case"], int) else row["case"].pk,
            at=row.get("at") or timezone.now(),
            actor=row.get("actor"),
            kind=row["kind"],
            text=row["text"][:500],
            data=row.get("data") or {},
        )
        for row in rows
    ]
    if txbatch.active():
        for row in events:
            txbatch.defer(row)
        return events
    return CaseEvent.objects.bulk_create(events) if events else []


def outbound_queue(
    *,
    conversation: Conversation | None,
    text: str,
    author_label: str,
    case: Case | None = None,
    author: User | None = None,
    kind: str = Message.Kind.TEXT,
    client_token: str | None = None,
    at: datetime | None = None,
    deferrable: bool = False,
) -> Message:
    """A message to the citizen (or a linked officer), queued for the channel worker: the only
    way any app sends one. The delivery task is queued in the same transaction.

    `deferrable` (an automatic message, nobody in the transaction reads it back): in a
    worker's shared transaction the message and its delivery task are written with the
    batch's others, one INSERT each, before it commits; until then the message has no id
    (`txbatch.after_written(Message, …)` runs once it has)."""
    now = at or timezone.now()
    fields: dict[str, Any] = dict(
        conversation=conversation,
        case=case,
        direction=Message.Direction.OUT,
        kind=kind,
        text=text,
        sent_at=now,
        author=author,
        author_label=author_label,
        delivery=Message.Delivery.QUEUED,
        client_token=client_token,
        next_attempt_at=now,
    )
    if deferrable and txbatch.active():
        message = Message(**fields)
        txbatch.defer(message, first=True)
        undelivered = txbatch.known("cases.outbound_deferred")
        assert undelivered is not None
        if not undelivered:  # the first since the last write: one hook for all of them
            txbatch.after_written(Message, _deliver_deferred)
        undelivered[id(message)] = message
    else:
        message = Message.objects.create(**fields)
        enqueue("binhyen.channels.tasks.deliver_message", message.pk)
    if case is not None and author is not None and text:
        # An officer's reply is part of the thread officers search (automatic notices are not).
        Case.objects.filter(pk=case.pk).update(
            search_text=Concat(F("search_text"), Value(search.fold_text(text)[:2000] + " "))
        )
    return message


def _deliver_deferred() -> None:
    """The deferred outbound messages are written: their delivery tasks, in one INSERT."""
    undelivered = txbatch.known("cases.outbound_deferred")
    if not undelivered:
        return
    messages = list(undelivered.values())
    undelivered.clear()
    enqueue_many("binhyen.channels.tasks.deliver_message", [(m.pk,) for m in messages])


def case_search_rebuild(case: Case) -> None:
    """Fold the thread again (a message moved in or out of the case)."""
    texts = (
        Message.objects.filter(case=case)
        .filter(Q(direction=Message.Direction.IN) | Q(author__isnull=False))
        .order_by("sent_at", "id")
        .values_list("text", flat=True)
    )
    value = search.seed(case.code)
    for text in texts:
        value = search.appended(value, text)
    case.search_text = value
    Case.objects.filter(pk=case.pk).update(search_text=value)
