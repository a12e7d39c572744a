"""Pieces shared by the case services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from binhyen.cases.models import Case, Conversation, Message


class CaseError(Exception):
    """A use case was refused; the message is shown to the officer as is."""


def enqueue(task_path: str, *args: object, run_after: datetime | None = None) -> None:
    """Queue a background task in the current transaction (the queue is in the database,
    so the task exists exactly when the data it concerns was committed)."""
    task = import_string(task_path)
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(*args)


# Later stages (triage) register here: receiving a message must not depend on them.
_after_receive: list[Callable[..., Any]] = []


def register_after_receive(hook: Callable[..., Any]) -> None:
    if hook not in _after_receive:
        _after_receive.append(hook)


def run_after_receive(*, case: Case, message: Message, opened: bool) -> None:
    for hook in _after_receive:
        hook(case=case, message=message, opened=opened)


# Later stages that learn from officers (triage) register here: an officer's classification,
# whichever form it came from, is what the machine should have said.
_after_classify: list[Callable[..., Any]] = []


def register_after_classify(hook: Callable[..., Any]) -> None:
    if hook not in _after_classify:
        _after_classify.append(hook)


def run_after_classify(*, case: Case, actor: Any) -> None:
    for hook in _after_classify:
        hook(case=case, actor=actor)


def conversation_touch_inbound(conversation: Conversation, at: datetime) -> None:
    if conversation.last_inbound_at is None or at > conversation.last_inbound_at:
        conversation.last_inbound_at = at
        conversation.save(update_fields=["last_inbound_at"])


def case_touch(case: Case, at: datetime, *, inbound: bool) -> None:
    fields = ["last_message_at"]
    case.last_message_at = max(case.last_message_at, at)
    if inbound:
        case.last_inbound_at = at
        case.unread = True
        fields += ["last_inbound_at", "unread"]
    case.save(update_fields=fields)
