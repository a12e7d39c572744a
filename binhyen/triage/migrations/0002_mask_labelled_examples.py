"""Mask identifiers in labelled examples kept before masking existed (docs/triage.md).

Uses the masking of today's code (binhyen.lib.redact): a data migration that must read the
vault to know a citizen's name has no frozen alternative worth keeping in sync.
"""

from django.db import migrations

from binhyen.lib.redact import mask_identifiers


def mask(apps, schema_editor):
    LabelledExample = apps.get_model("triage", "LabelledExample")
    for row in LabelledExample.objects.select_related(
        "suggestion__case__contact__identity"
    ).iterator():
        identity = None
        if row.suggestion is not None and row.suggestion.case.contact is not None:
            identity = row.suggestion.case.contact.identity
        data = identity.data if identity is not None and identity.data else {}
        known = [str(v) for v in data.values() if isinstance(v, str | int)]
        masked = mask_identifiers(row.text, known)
        if masked != row.text:
            LabelledExample.objects.filter(pk=row.pk).update(text=masked)


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("cases", "0003_seed_notice_templates"),
        ("vault", "0002_identity_permissions"),
    ]

    operations = [migrations.RunPython(mask, migrations.RunPython.noop)]
