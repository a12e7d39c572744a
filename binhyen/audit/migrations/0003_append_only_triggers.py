# The database-level guard: UPDATE and DELETE on audit entries are refused by triggers.
#
# A frozen copy of binhyen/audit/guard.py's SQL (migrations must not change when the code
# does). On SQLite a later migration that rebuilds audit_auditentry drops these triggers
# with the old table: such a migration must install them again.

from django.db import migrations

TABLE = "audit_auditentry"

SQLITE_FORWARD = [
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]

PG_FORWARD = [
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
PG_BACKWARD = [
    f"DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)
    elif vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    else:
        raise RuntimeError(f"no append-only guard for {vendor}; add one before deploying")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_BACKWARD if vendor == "sqlite" else PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_genesis")]

    operations = [
        migrations.RunPython(forward, backward, hints={"model_name": "auditentry"}),
    ]
