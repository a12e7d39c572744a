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
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction

from binhyen.live import events, transports

log = logging.getLogger("binhyen.live")

__all__ = ["publish"]


def publish(
    *, unit_path: str, kind: str, payload: dict[str, Any], roles: set[str] | None = None
) -> None:
    """Deliver `kind`/`payload` to every connected console session whose user may see the
    unit at `unit_path` (and holds one of `roles` there, when given), after commit."""

    unit_path, kind, clean, frozen = events.build(
        unit_path=unit_path, kind=kind, payload=payload, roles=roles
    )

    def deliver() -> None:
        try:
            transports.send(events.stamp(unit_path, kind, clean, frozen), using=DEFAULT_DB_ALIAS)
        except Exception:
            # Live delivery is best effort: the data is committed and the console shows it
            # on the next load; never fail the caller's (already committed) write.
            log.exception("live event %s for %s not delivered", kind, unit_path)

    transaction.on_commit(deliver, using=DEFAULT_DB_ALIAS)
