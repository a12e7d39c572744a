from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from binhyen.audit import guard
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.audit.services import audit_record


def append(n: int, *, summary: str = "mục") -> list[AuditEntry]:
    return [
        audit_record(action=AuditAction.CASE_EXPORT, actor=None, summary=f"{summary} {i}")
        for i in range(n)
    ]


@contextmanager
def guard_lifted() -> Iterator[None]:
    """What someone with database owner rights can do behind the application's back."""
    guard.uninstall(connection)
    try:
        yield
    finally:
        guard.install(connection)


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def raw_insert(entry: AuditEntry) -> None:
    """INSERT an entry with plain SQL, as a forger with write access would."""
    columns = {
        "seq": entry.seq,
        "at": connection.ops.adapt_datetimefield_value(entry.at),
        "action": entry.action,
        "actor_username": entry.actor_username,
        "actor_unit_path": entry.actor_unit_path,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_unit_path": entry.target_unit_path,
        "summary": entry.summary,
        "details": json.dumps(entry.details),
        "ip_address": entry.ip_address,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
    placeholders = ", ".join(["%s"] * len(columns))
    raw(
        f"INSERT INTO audit_auditentry ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
        list(columns.values()),
    )
