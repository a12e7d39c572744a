"""Live alerts: push events from anywhere in BinhYen to the consoles that may see them.

    from binhyen import live

    live.publish(
        unit_path=case.unit.path,          # "/66/24133/": who may see it (subtree rule)
        kind="alert",                      # what happened; pages subscribe by kind
        payload={"case_id": case.pk, "code": case.code, "urgency": "critical",
                 "summary": case.summary, "unit_name": case.unit.name,
                 "url": "/tin-bao/42/", "ack_url": "/truc-ban/7/xac-nhan/"},
        roles={"duty", "commander"},       # optional: only people holding these roles there
    )

Synchronous and cheap; call it from a service inside its transaction: the event leaves
only when that transaction commits (nothing at all if it rolls back). The payload must
never carry a tipster's identity (name, phone, Zalo id, address, location): it is shown on
the console pages of everyone who can see the unit. Keys that would (see
`events.FORBIDDEN_KEYS`) raise ValueError; strings are cut to 400 characters. In the
console, kind "alert" rings (critical: banner + sound; high: toast), "alert.ack" clears a
case's banners, other kinds only reach page hooks. See docs/live.md for the conventions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction

from binhyen.live import events, transports

log = logging.getLogger("binhyen.live")

__all__ = ["publish", "together"]

# Events committed inside `together()`, not yet sent.
_pending: ContextVar[list[events.Event] | None] = ContextVar("binhyen_live_pending", default=None)


@contextmanager
def together() -> Iterator[None]:
    """Events whose transaction commits inside this block leave together at its end (one
    `pg_notify` statement for a worker's batch of events instead of one per event). Only
    committed events are ever collected: a rolled-back transaction never delivers."""
    if _pending.get() is not None:
        yield
        return
    pending: list[events.Event] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        if pending:
            try:
                transports.send_many(pending, using=DEFAULT_DB_ALIAS)
            except Exception:
                log.exception("%d live event(s) not delivered", len(pending))


def publish(
    *, unit_path: str, kind: str, payload: dict[str, Any], roles: set[str] | None = None
) -> None:
    """Deliver `kind`/`payload` to every connected console session whose user may see the
    unit at `unit_path` (and holds one of `roles` there, when given), after commit."""

    unit_path, kind, clean, frozen = events.build(
        unit_path=unit_path, kind=kind, payload=payload, roles=roles
    )

    def deliver() -> None:
        event = events.stamp(unit_path, kind, clean, frozen)
        pending = _pending.get()
        if pending is not None:
            pending.append(event)  # leaves with the others at the end of `together()`
            return
        try:
            transports.send(event, using=DEFAULT_DB_ALIAS)
        except Exception:
            # Live delivery is best effort: the data is committed and the console shows it
            # on the next load; never fail the caller's (already committed) write.
            log.exception("live event %s for %s not delivered", kind, unit_path)

    transaction.on_commit(deliver, using=DEFAULT_DB_ALIAS)
