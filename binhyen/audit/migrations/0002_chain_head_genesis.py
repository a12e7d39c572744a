# Data migration: the one chain-head row, pointing at the genesis hash.

from django.db import migrations

GENESIS_HASH = "582e1469f5472ce66a518c8dc0b9d0cc67a2a1290fb920f92eb80b923ec340db"


def create_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop,
                             hints={"model_name": "auditchainhead"}),
    ]
