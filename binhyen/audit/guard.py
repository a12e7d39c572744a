"""The database-level guard: triggers refusing UPDATE and DELETE on the audit table.

Installed by migration 0003 (which keeps its own frozen copy of this SQL). They stop the
application and casual hand edits; a database superuser can drop them, which is why the
hash chain exists. On SQLite, a schema change that rebuilds the table drops its triggers:
any future migration that alters `AuditEntry` must call `install()` again.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditentry"
SQLITE_TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")
PG_TRIGGERS = ("audit_entry_no_update_delete",)

_SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END",
]
_SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]

_PG_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON {TABLE}",
    f"CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()",
]
_PG_UNINSTALL = [f"DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON {TABLE}"]


def _statements(connection: BaseDatabaseWrapper, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_UNINSTALL
    if connection.vendor == "postgresql":
        return _PG_INSTALL if install else _PG_UNINSTALL
    raise ImproperlyConfigured(
        f"BinhYen runs on SQLite or PostgreSQL; {connection.vendor} has no append-only guard "
        "for the audit log, so it is refused rather than left unprotected."
    )


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)


def is_installed(connection: BaseDatabaseWrapper) -> bool:
    """All guard triggers exist and are enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            expected = set(SQLITE_TRIGGERS)
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
            expected = set(PG_TRIGGERS)
        else:
            return False
        return expected <= {row[0] for row in cursor.fetchall()}
