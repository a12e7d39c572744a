"""Indexes the weekly figures need on other apps' tables (kpis.py).

Kept here, beside the queries that use them, rather than in the apps that own the tables:
the syntax is the same on SQLite and PostgreSQL."""

from django.db import migrations

INDEXES = [
    # Deadlines falling in a week; first-acknowledgement clocks started in a week.
    ("monitoring_clock_due", "clocks_caseclock", "due_at"),
    ("monitoring_clock_family_start", "clocks_caseclock", "family, started_at"),
    # Decisions and reopenings in a week.
    ("monitoring_event_kind_at", "cases_caseevent", "kind, at"),
    # Cases open at an instant: open now or closed after it.
    ("monitoring_case_closed", "cases_case", "closed_at"),
    ("monitoring_outcome_recorded", "cases_caseoutcome", "recorded_at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("cases", "0003_seed_notice_templates"),
        ("clocks", "0002_seed_default_rules"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, cols in INDEXES
    ]
