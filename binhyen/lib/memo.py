"""Lookups remembered for one batch of background work, and no longer.

A worker applies events and runs tasks in batches (`binhyen.core.worker`); inside a batch
the rows every event reads and nobody edits mid-batch — clock rules, the holiday calendar,
which unit serves which place, the active triage model — are read once. Outside a batch
(a view, a test calling a service) `remember` just computes: nothing is ever stale for
longer than one batch, and nothing needs invalidating.

Only what a rolled-back transaction cannot take away may be remembered: rows that existed
before the batch, never rows the batch itself created.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_batch: ContextVar[dict[Hashable, Any] | None] = ContextVar("binhyen_memo_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Remember lookups until the end of this block (nested blocks share the outer one)."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per batch for `key`; every time outside a batch."""
    store = _batch.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


def active() -> bool:
    return _batch.get() is not None
