"""Several events applied in one shared transaction, all or nothing.

A worker applies a burst of inbound events in one transaction (`channels/inbox.py`): one
commit for the burst instead of one per event. Inside such a transaction nothing is caught
and carried on with: an error anywhere ends the whole batch, which is rolled back and then
replayed one event per transaction, where the usual savepoints catch what they catch (a
new contact met by two workers at once, a triage reading that fails, …). So the places that
catch an error and go on ask `active()`: in a shared transaction they take no savepoint and
let the error through; outside one they behave as before.

Append-only rows (the case timeline) may be `defer`red inside a shared transaction: they
are written with one INSERT for the whole batch, in the order they were made, before the
transaction ends — and before any query of their table (`FlushingQuerySet`), so a read
in the batch sees them, and a row written directly after them keeps a later id. (A join or
subquery from another model's query does not flush: nothing on the event path reads the
timeline that way.)

Rows that other deferred rows name by their id (an acknowledgement message named by its
timeline row and its delivery task, a triage suggestion named by the "triaged" row) are
deferred with `first=True`: every flush writes them before anything else, and the
`after_written` hooks registered for them (which fill in the ids the later rows need, or
write rows of tables that cannot be deferred) run right after their INSERT.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.db import models, transaction

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=models.Model)

_shared: ContextVar[bool] = ContextVar("binhyen_txbatch_shared", default=False)


# Rows waiting for their INSERT, by model, in the order they were made (None: not shared).
_deferred: ContextVar[dict[type[models.Model], list[models.Model]] | None] = ContextVar(
    "binhyen_txbatch_deferred", default=None
)


# Models whose deferred rows are written before any other's (other rows name their ids), and
# what must run once they are written, by model, in order (see `after_written`).
_firsts: ContextVar[dict[type[models.Model], list[Callable[[], object]]] | None] = ContextVar(
    "binhyen_txbatch_firsts", default=None
)


# Work gathered until the end of the shared transaction: name -> (apply, items in order).
_gathered: ContextVar[dict[str, tuple[Callable[[list[Any]], object], dict[Any, None]]] | None] = (
    ContextVar("binhyen_txbatch_gathered", default=None)
)

# Rows written or deferred in the shared transaction, by model (see `made`).
_made: ContextVar[dict[type[models.Model], list[models.Model]] | None] = ContextVar(
    "binhyen_txbatch_made", default=None
)


# What the shared transaction knows without asking the database again, by name (see `known`).
_known: ContextVar[dict[str, dict[Any, Any]] | None] = ContextVar(
    "binhyen_txbatch_known", default=None
)


@contextmanager
def shared() -> Iterator[None]:
    """Mark the enclosed work as part of a transaction shared by several events. Deferred
    rows are written when it ends normally (still inside the caller's transaction), and
    dropped when it ends with an error (the transaction is rolled back)."""
    token = _shared.set(True)
    rows_token = _deferred.set({})
    made_token = _made.set({})
    gathered_token = _gathered.set({})
    known_token = _known.set({})
    firsts_token = _firsts.set({})
    try:
        yield
        _run_gathered()
        flush()
    finally:
        _firsts.reset(firsts_token)
        _known.reset(known_token)
        _gathered.reset(gathered_token)
        _made.reset(made_token)
        _deferred.reset(rows_token)
        _shared.reset(token)


def gather(name: str, item: Hashable, apply: Callable[[list[Any]], object]) -> None:
    """Work that may wait for the end of the batch and is cheaper done once for many items
    (one UPDATE for many rows): in a shared transaction `item` is gathered under `name`
    (once) and `apply(items)` runs before the transaction ends; elsewhere `apply([item])`
    runs at once. `apply` must be the same function for a given `name`."""
    pending = _gathered.get()
    if pending is None:
        apply([item])
        return
    _apply, items = pending.setdefault(name, (apply, {}))
    items[item] = None


def known(name: str) -> dict[Any, Any] | None:
    """A dictionary that lives as long as the shared transaction (None outside one): what
    the batch itself wrote and keeps in step, so that a later event of the batch need not
    read it back (it goes with the transaction: a replayed event starts without it)."""
    store = _known.get()
    if store is None:
        return None
    return store.setdefault(name, {})


def _run_gathered() -> None:
    pending = _gathered.get()
    while pending:
        name = next(iter(pending))
        apply, items = pending.pop(name)
        apply(list(items))


def defer(obj: M, *, first: bool = False) -> bool:
    """Keep `obj` (a new row of a model whose manager uses `FlushingQuerySet`) for the
    batch's INSERT; False outside a shared transaction (the caller saves it). `first`: other
    deferred rows will name this one's id (see `after_written`): rows of its model are
    written before any other model's, whichever table a flush was asked for."""
    pending = _deferred.get()
    if pending is None:
        return False
    if first:
        firsts = _firsts.get()
        assert firsts is not None  # set together with _deferred
        firsts.setdefault(type(obj), [])
    pending.setdefault(type(obj), []).append(obj)
    _note([obj])
    return True


def after_written(model: type[models.Model], hook: Callable[[], object]) -> None:
    """In a shared transaction: run `hook` once the rows of `model` deferred so far with
    `first=True` are written (they have their ids; other deferred rows are not written
    yet). Outside one: at once (the caller saved its row)."""
    firsts = _firsts.get()
    if firsts is None:
        hook()
        return
    firsts.setdefault(model, []).append(hook)


def _note(rows: Iterable[models.Model]) -> None:
    made = _made.get()
    if made is not None:
        for row in rows:
            made.setdefault(type(row), []).append(row)


def made(model: type[M]) -> list[M]:
    """Every row of `model` this shared transaction wrote or deferred so far through
    `defer` or its `FlushingQuerySet` manager, in order ([] outside one). Enough to answer
    "does X's row exist" without a query for an X the batch itself created."""
    rows = (_made.get() or {}).get(model, [])
    return rows  # type: ignore[return-value]


def flush(model: type[models.Model] | None = None) -> None:
    """Write the deferred rows (of `model`, or all), in the order they were made; the rows
    other rows name (`defer(first=True)`) always first, then their `after_written` hooks."""
    pending = _deferred.get()
    firsts = _firsts.get() or {}
    if not pending and not any(firsts.values()):
        return
    pending = pending or {}
    kinds = list(firsts)
    kinds += [model] if model is not None else list(pending)
    for kind in dict.fromkeys(kinds):
        rows = pending.pop(kind, None)
        if rows:
            queryset: models.QuerySet[models.Model] = models.QuerySet(kind)
            queryset.bulk_create(rows, batch_size=500)
        hooks = firsts.get(kind)
        while hooks:
            hooks.pop(0)()


class FlushingQuerySet(models.QuerySet[M]):
    """A model's queries write its deferred rows first (see `defer`)."""

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            flush(self.model)
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[M]:
        flush(self.model)
        return super().iterator(chunk_size)

    def exists(self) -> bool:
        flush(self.model)
        return super().exists()

    def count(self) -> int:
        flush(self.model)
        return super().count()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        flush(self.model)
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        flush(self.model)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        flush(self.model)
        return super().delete()

    # A row written directly after deferred ones of its table gets a later id (the
    # timeline's order); False where the ids' order within a batch does not matter.
    flush_on_write = True

    def create(self, **kwargs: Any) -> M:
        if self.flush_on_write:
            flush(self.model)
        row = super().create(**kwargs)
        _note([row])
        return row

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        if self.flush_on_write:
            flush(self.model)
        rows = super().bulk_create(objs, *args, **kwargs)
        _note(rows)
        return rows


class ReadFlushingQuerySet(FlushingQuerySet[M]):
    """Reads (and updates, deletes) write the model's deferred rows first; new rows written
    directly do not wait for them (their ids within a batch need not follow the order the
    rows were made in: messages, ordered by their time)."""

    flush_on_write = False


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
