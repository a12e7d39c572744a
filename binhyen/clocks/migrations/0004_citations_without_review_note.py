"""The citations officers read no longer carry "(phòng pháp chế cần xác nhận)": the caveat
stays in docs/clocks.md ("Readings to confirm")."""

from django.db import migrations

NOTES = (" (phòng pháp chế cần xác nhận)", " (to be confirmed by the legal office)")


def strip_notes(apps, schema_editor):
    for model in ("ClockRule", "CaseClock"):
        manager = apps.get_model("clocks", model).objects
        for row in manager.filter(citation_vi__contains="pháp chế").iterator():
            for note in NOTES:
                row.citation_vi = row.citation_vi.replace(note, "")
                row.citation_en = row.citation_en.replace(note, "")
            row.save(update_fields=["citation_vi", "citation_en"])


class Migration(migrations.Migration):
    dependencies = [("clocks", "0003_seed_answer_rule")]

    operations = [migrations.RunPython(strip_notes, migrations.RunPython.noop)]
