"""On PostgreSQL, a covering index so that "had this case an overdue deadline at T?" is
answered from the index alone (measured: the weekly table at 1M cases 2.9 s → 1.5 s).
SQLite has no INCLUDE; the plain index of 0002 serves it."""

from django.db import migrations

NAME = "monitoring_clock_case_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON clocks_caseclock (case_id, due_at) "
            "INCLUDE (kind, state, met_at, updated_at, rule_code)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_indexes_for_figures")]

    operations = [migrations.RunPython(create, drop)]
