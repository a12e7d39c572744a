"""Count the files held tips already have on disk, so the held storage cap sees them."""

from django.core.files.storage import default_storage
from django.db import migrations


def backfill(apps, schema_editor):
    Tip = apps.get_model("tips", "Tip")
    for tip in Tip.objects.exclude(held=None).iterator():
        held = tip.held or {}
        entries = list(held.get("files", []))
        for followup in held.get("followups", []):
            entries += followup.get("files", [])
        size = 0
        for entry in entries:
            path = entry.get("path", "")
            if path.startswith("held/") and default_storage.exists(path):
                size += default_storage.size(path)
        if size:
            Tip.objects.filter(pk=tip.pk).update(held_bytes=size)


class Migration(migrations.Migration):
    dependencies = [("tips", "0002_tip_held_bytes")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
