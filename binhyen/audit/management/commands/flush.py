"""`flush` that can empty the append-only audit table (tests, demo resets).

Django's flush (also run after every transactional test) deletes every row of every
table; the audit triggers refuse that on SQLite. Outside production this lifts the guard
for the flush and puts it back in the same transaction. In production, flushing a
database that holds audit entries is refused outright.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from binhyen.audit import guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        alias = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[alias]
        tables = connection.introspection.table_names()
        if guard.TABLE not in tables or connection.vendor not in {"sqlite", "postgresql"}:
            super().handle(**options)
            return
        if getattr(settings, "PRODUCTION", False):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {guard.TABLE} LIMIT 1")  # noqa: S608
                if cursor.fetchone() is not None:
                    raise CommandError(
                        "refusing to flush a production database that holds audit log entries"
                    )
        with transaction.atomic(using=alias):
            guard.uninstall(connection)
            super().handle(**options)
            guard.install(connection)
