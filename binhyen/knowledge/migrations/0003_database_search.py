"""The database's own search over the folded text of the entries.

PostgreSQL: pg_trgm and a trigram GIN index on `folded` (already without diacritics, so
typos and missing words still match; `unaccent` also folds the query on the database side).
SQLite: an FTS5 table over `folded`, kept in step by triggers.
"""

from django.db import migrations

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE INDEX IF NOT EXISTS knowledge_procedure_folded_trgm "
    "ON knowledge_procedure USING gin (folded gin_trgm_ops)",
]
PG_DOWN = ["DROP INDEX IF EXISTS knowledge_procedure_folded_trgm"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_procedure_fts USING fts5("
    "folded, content='knowledge_procedure', content_rowid='id')",
    "CREATE TRIGGER IF NOT EXISTS knowledge_procedure_fts_ai AFTER INSERT ON knowledge_procedure "
    "BEGIN INSERT INTO knowledge_procedure_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER IF NOT EXISTS knowledge_procedure_fts_ad AFTER DELETE ON knowledge_procedure "
    "BEGIN INSERT INTO knowledge_procedure_fts(knowledge_procedure_fts, rowid, folded) "
    "VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER IF NOT EXISTS knowledge_procedure_fts_au AFTER UPDATE ON knowledge_procedure "
    "BEGIN INSERT INTO knowledge_procedure_fts(knowledge_procedure_fts, rowid, folded) "
    "VALUES ('delete', old.id, old.folded); "
    "INSERT INTO knowledge_procedure_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "INSERT INTO knowledge_procedure_fts(knowledge_procedure_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS knowledge_procedure_fts_ai",
    "DROP TRIGGER IF EXISTS knowledge_procedure_fts_ad",
    "DROP TRIGGER IF EXISTS knowledge_procedure_fts_au",
    "DROP TABLE IF EXISTS knowledge_procedure_fts",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        todo = statements.get(vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for sql in todo:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_load_catalogue")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
