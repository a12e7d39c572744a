"""The console at a million cases: list indexes per sort, a folded thread text for search,
the next deadline and `updated_at` on the case, officers' saved filters (docs/search.md).

PostgreSQL also gets trigram GIN indexes on the folded text and on the code (pg_trgm was
created by knowledge 0003; created here too if missing), SQLite an FTS5 trigram table over
the folded text, so that search and partial code lookup are index scans. The backfill fills the new columns of existing cases.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS case_search_trgm ON cases_case USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS case_code_trgm ON cases_case USING gin (code gin_trgm_ops)",
]
PG_DOWN = ["DROP INDEX IF EXISTS case_search_trgm", "DROP INDEX IF EXISTS case_code_trgm"]
# SQLite: an external-content FTS5 table with the trigram tokenizer (SQLite >= 3.34), which
# serves LIKE '%...%' by index; kept in step by triggers like knowledge 0003.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "search_text, content='cases_case', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ai AFTER INSERT ON cases_case "
    "BEGIN INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ad AFTER DELETE ON cases_case "
    "BEGIN INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_au AFTER UPDATE OF search_text ON cases_case "
    "BEGIN INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_REBUILD = ["INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')"]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TABLE IF EXISTS cases_case_fts",
]


def _run(statements):
    def run(apps, schema_editor):
        todo = statements.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for sql in todo:
                cursor.execute(sql)

    return run


def backfill(apps, schema_editor):
    from binhyen.lib import codes, vntext

    Case = apps.get_model("cases", "Case")
    Message = apps.get_model("cases", "Message")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET next_deadline_at = (SELECT MIN(c.due_at) "
            "FROM clocks_caseclock c WHERE c.case_id = cases_case.id "
            "AND c.state IN ('running', 'breached'))"
        )
    for case in Case.objects.only("pk", "code", "summary").iterator(chunk_size=500):
        texts = list(
            Message.objects.filter(case_id=case.pk)
            .filter(models.Q(direction="in") | models.Q(author__isnull=False))
            .order_by("sent_at", "id")
            .values_list("text", flat=True)
        )
        folded = " ".join(vntext.fold(t) for t in texts or [case.summary] if t)
        body = codes.code_body(case.code).lower()
        Case.objects.filter(pk=case.pk).update(search_text=f" {body} {folded} "[:20000])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_receipt_notice_wording'),
        ('channels', '0002_inbound_person_and_redaction'),
        ('units', '0001_initial'),
        ('clocks', '0003_seed_answer_rule'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SavedFilter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(blank=True, max_length=1000)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'bộ lọc đã lưu',
                'verbose_name_plural': 'bộ lọc đã lưu',
            },
        ),
        migrations.AddField(
            model_name='case',
            name='next_deadline_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='case',
            name='updated_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['-last_message_at', '-id'], name='case_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['unit', '-last_message_at', '-id'], name='case_unit_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('received', 'classified', 'verifying', 'suspended', 'acknowledged'))), fields=['-last_message_at', '-id'], name='case_open_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('received', 'classified', 'verifying', 'suspended', 'acknowledged')), _negated=True), fields=['-last_message_at', '-id'], name='case_done_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['category', '-last_message_at', '-id'], name='case_cat_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['urgency', '-last_message_at', '-id'], name='case_urg_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['category', 'urgency', '-last_message_at', '-id'], name='case_cat_urg_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('received', 'classified', 'verifying', 'suspended', 'acknowledged'))), fields=['category', '-last_message_at', '-id'], name='case_open_cat_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('received', 'classified', 'verifying', 'suspended', 'acknowledged'))), fields=['urgency', '-last_message_at', '-id'], name='case_open_urg_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['assigned_to', '-last_message_at', '-id'], name='case_assignee_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['-opened_at', '-id'], name='case_opened_recent'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('next_deadline_at__isnull', False)), fields=['next_deadline_at', 'id'], name='case_next_deadline'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['updated_at', 'id'], name='case_updated'),
        ),
        migrations.AddField(
            model_name='savedfilter',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='case_filter', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(_run({"sqlite": SQLITE_REBUILD}), migrations.RunPython.noop),
    ]
