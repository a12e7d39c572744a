"""Citizens' names added to binhyen/data/knowledge/synonyms.json after the catalogue was
loaded (rounds 3 and 4 of issue 12), and the folded search column recomputed with the
current normalisation (split abbreviations such as "llt p", licence classes "bằng B2").

Only entries no editor has touched (every version "imported") get the file's synonyms, each
with a version and the diff; an editor's synonyms are never overwritten and the status is
left as it is. The folded column is derived text and is refreshed on every entry.
"""

import difflib

from django.db import migrations
from django.utils import timezone

FIELDS = (
    "title",
    "summary",
    "audience",
    "documents",
    "steps",
    "where",
    "fees",
    "processing_time",
    "legal_basis",
    "synonyms",
    "examples",
    "sources",
)


def update(apps, schema_editor):
    from binhyen.lib.knowledge.search import normalize, synonyms_file

    Procedure = apps.get_model("knowledge", "Procedure")
    Version = apps.get_model("knowledge", "ProcedureVersion")
    shipped = synonyms_file()["synonyms"]
    now = timezone.now()
    for p in Procedure.objects.all():
        untouched = not Version.objects.filter(procedure=p).exclude(action="imported").exists()
        wanted = "\n".join(shipped.get(p.slug, []))
        if untouched and wanted and p.synonyms != wanted:
            before = p.synonyms
            p.synonyms = wanted
            p.version += 1
            p.updated_at = now
            Version.objects.create(
                procedure=p,
                number=p.version,
                at=now,
                action="imported",
                note="synonyms.json",
                snapshot={**{f: getattr(p, f) for f in FIELDS}, "status": p.status},
                diff="\n".join(
                    difflib.unified_diff(
                        before.splitlines(),
                        wanted.splitlines(),
                        "synonyms (trước)",
                        "synonyms (sau)",
                        lineterm="",
                    )
                ),
            )
        p.folded = normalize(" ".join([p.title, p.summary, p.synonyms]))
        p.save()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_unanswered_resolution")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
