"""Editors' decisions on unanswered questions (resolution, linked entry, who, when), and the
catalogue drafts' structured fields (binhyen/data/knowledge/expansions.json).

The expansion touches only entries still as imported (version 1), and only their empty
fields: an editor's work is never overwritten. Each filled entry gets a version with the
diff; the status stays "cần kiểm tra" (draft).
"""

import difflib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
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


def expand(apps, schema_editor):
    from binhyen.lib.knowledge.search import EXPANDED_NOTE, expansions

    Procedure = apps.get_model("knowledge", "Procedure")
    Version = apps.get_model("knowledge", "ProcedureVersion")
    expanded = expansions()
    now = timezone.now()
    for p in Procedure.objects.filter(version=1, slug__in=list(expanded)):
        before = {f: getattr(p, f) for f in FIELDS}
        for field, value in expanded[p.slug].items():
            if value and not getattr(p, field):
                setattr(p, field, value)
        after = {f: getattr(p, f) for f in FIELDS}
        if after == before:
            continue
        if EXPANDED_NOTE not in p.sources:
            p.sources = (p.sources + "\n" + EXPANDED_NOTE).strip()
            after["sources"] = p.sources
        diff: list[str] = []
        for f in FIELDS:
            if before[f] != after[f]:
                diff.extend(
                    difflib.unified_diff(
                        before[f].splitlines(),
                        after[f].splitlines(),
                        f"{f} (trước)",
                        f"{f} (sau)",
                        lineterm="",
                    )
                )
        p.version = 2
        p.updated_at = now
        p.save()
        Version.objects.create(
            procedure=p,
            number=2,
            at=now,
            action="imported",
            note="expansions.json",
            snapshot={**after, "status": p.status},
            diff="\n".join(diff),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_database_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="unanswered",
            name="procedure",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="knowledge.procedure",
            ),
        ),
        migrations.AddField(
            model_name="unanswered",
            name="resolution",
            field=models.CharField(
                blank=True,
                choices=[
                    ("answered", "Cán bộ đã trả lời"),
                    ("out_of_scope", "Ngoài phạm vi"),
                    ("linked", "Gắn vào thủ tục"),
                ],
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="unanswered",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="unanswered",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(expand, migrations.RunPython.noop),
    ]
