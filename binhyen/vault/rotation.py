"""Re-encrypt every encrypted column under the newest vault key (key rotation).

Encrypted columns are found, not listed: every concrete model field that is an
`EncryptedTextField` or `EncryptedJSONField`, in every app, in the database the router
sends that model to. Values are read and written raw (the Fernet token), a batch per
transaction, and each write only lands if the value did not change meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connections, models, router, transaction

from binhyen.core.fields import EncryptedJSONField, EncryptedTextField
from binhyen.lib import crypto


@dataclass
class ColumnReport:
    table: str
    column: str
    database: str
    values: int = 0  # non-empty values seen
    rotated: int = 0  # re-encrypted under the newest key
    current: int = 0  # already under the newest key
    unreadable: int = 0  # no configured key opens it

    @property
    def label(self) -> str:
        return f"{self.database}:{self.table}.{self.column}"


def encrypted_columns() -> list[tuple[type[models.Model], models.Field]]:  # type: ignore[type-arg]
    out: list[tuple[type[models.Model], models.Field]] = []  # type: ignore[type-arg]
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField | EncryptedJSONField):
                out.append((model, f))
    return out


def _newest() -> Fernet:
    key = settings.VAULT_KEYS[0]
    return Fernet(key.encode() if isinstance(key, str) else key)


def _under_newest(newest: Fernet, token: str) -> bool:
    try:
        newest.decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        return False
    return True


def _column(
    model: type[models.Model],
    field: models.Field,  # type: ignore[type-arg]
    *,
    write: bool,
    batch_size: int,
    progress: Callable[[ColumnReport], None] | None,
) -> ColumnReport:
    alias = router.db_for_write(model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    table, column = model._meta.db_table, str(field.column)
    pk = str(model._meta.pk.column)
    report = ColumnReport(table=table, column=column, database=alias)
    newest = _newest()
    base = (
        f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} "  # noqa: S608 (names quoted, from models)
        f"WHERE {qn(column)} IS NOT NULL AND {qn(column)} <> ''"
    )
    first = f"{base} ORDER BY {qn(pk)} LIMIT %s"
    after = f"{base} AND {qn(pk)} > %s ORDER BY {qn(pk)} LIMIT %s"
    update = (
        f"UPDATE {qn(table)} SET {qn(column)} = %s "  # noqa: S608
        f"WHERE {qn(pk)} = %s AND {qn(column)} = %s"
    )
    last: Any = None
    while True:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if last is None:
                cursor.execute(first, [batch_size])
            else:
                cursor.execute(after, [last, batch_size])
            rows = cursor.fetchall()
            for row_pk, token in rows:
                report.values += 1
                if _under_newest(newest, token):
                    report.current += 1
                    continue
                try:
                    fresh = crypto.rotate(token)
                except crypto.DecryptionError:
                    report.unreadable += 1
                    continue
                if write:
                    cursor.execute(update, [fresh, row_pk, token])
                report.rotated += 1
        if progress is not None:
            progress(report)
        if len(rows) < batch_size:
            return report
        last = rows[-1][0]


def rotate_all(
    *,
    write: bool = True,
    batch_size: int = 500,
    progress: Callable[[ColumnReport], None] | None = None,
) -> list[ColumnReport]:
    """Re-encrypt (or, with write=False, only count) every encrypted value not under the
    newest key. Idempotent: a second run finds everything current."""
    return [
        _column(model, f, write=write, batch_size=batch_size, progress=progress)
        for model, f in encrypted_columns()
    ]
