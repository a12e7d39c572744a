"""Load the 40 starting procedures (binhyen/data/knowledge/procedures.json) as drafts.

Every entry starts as "cần kiểm tra" (draft): the catalogue is a starting list, not an
authority, and an approver must check it before it is published or sent automatically.
"""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from binhyen.lib.knowledge.search import catalogue, dev_examples, normalize, synonyms_file

    Procedure = apps.get_model("knowledge", "Procedure")
    Version = apps.get_model("knowledge", "ProcedureVersion")
    syn = synonyms_file()["synonyms"]
    examples = dev_examples()
    now = timezone.now()
    for row in catalogue():
        if Procedure.objects.filter(slug=row["slug"]).exists():
            continue
        data = {
            "title": row["title_vi"],
            "summary": row["summary_vi"],
            "audience": "",
            "documents": "",
            "steps": "",
            "where": row["handled_at_vi"],
            "fees": "",
            "processing_time": "",
            "legal_basis": "\n".join(row["legal_basis"]),
            "synonyms": "\n".join(syn.get(row["slug"], [])),
            "examples": "\n".join(examples.get(row["slug"], [])),
            "sources": "Danh mục khởi đầu của BinhYen (procedures.json). Cần kiểm tra: "
            + row["notes_en"],
        }
        p = Procedure.objects.create(
            slug=row["slug"],
            area=row["area"],
            status="draft",
            folded=normalize(" ".join([data["title"], data["summary"], data["synonyms"]])),
            updated_at=now,
            version=1,
            **data,
        )
        Version.objects.create(
            procedure=p,
            number=1,
            at=now,
            action="imported",
            note="procedures.json",
            snapshot={**data, "status": "draft"},
            diff="",
        )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_procedures")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
