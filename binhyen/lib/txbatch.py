"""Several events applied in one shared transaction, all or nothing.

A worker applies a burst of inbound events in one transaction (`channels/inbox.py`): one
commit for the burst instead of one per event. Inside such a transaction nothing is caught
and carried on with: an error anywhere ends the whole batch, which is rolled back and then
replayed one event per transaction, where the usual savepoints catch what they catch (a
new contact met by two workers at once, a triage reading that fails, …). So the places that
catch an error and go on ask `active()`: in a shared transaction they take no savepoint and
let the error through; outside one they behave as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.db import transaction

F = TypeVar("F", bound=Callable[..., Any])

_shared: ContextVar[bool] = ContextVar("binhyen_txbatch_shared", default=False)


@contextmanager
def shared() -> Iterator[None]:
    """Mark the enclosed work as part of a transaction shared by several events."""
    token = _shared.set(True)
    try:
        yield
    finally:
        _shared.reset(token)


def active() -> bool:
    """Whether the current work runs inside a transaction shared by several events (then an
    error must propagate: the batch is replayed one event per transaction)."""
    return _shared.get()


def savepoint(using: str | None = None) -> AbstractContextManager[Any]:
    """A savepoint around work whose error is caught, except in a shared transaction (no
    savepoint there: the caller re-raises, see `active()`)."""
    return nullcontext() if _shared.get() else transaction.atomic(using=using)


def atomic(func: F) -> F:
    """`transaction.atomic` on a service: a savepoint when nested, except in a shared
    transaction, where an error ends the whole batch anyway."""

    @wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(savepoint=not _shared.get()):
            return func(*args, **kwargs)

    return inner  # type: ignore[return-value]
