# Joins the two branches of audit migrations (new action codes for sign-in and access
# refusals; keyed chain with messenger-link actions). No table change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_access_and_2fa_actions"),
        ("audit", "0005_keyed_chain"),
    ]

    operations: list[migrations.operations.base.Operation] = []
