"""Round 5 of issue 12: citizens' names added to binhyen/data/knowledge/synonyms.json from the
misses of set H (tạm vắng while on bail or under a suspended sentence, staying with relatives
for tạm trú, an expired licence, bombs found while ploughing, a new electric motorbike), and
the folded search column recomputed (local place names such as "Ea Tul" are now dropped).

As in 0005: only entries no editor has touched (every version "imported") get the file's
synonyms, each with a version and the diff; an editor's synonyms are never overwritten and the
status is left as it is. The folded column is derived text and is refreshed on every entry.
"""

import importlib

from django.db import migrations

# the same data step as 0005 (a module name starting with a digit cannot be imported directly)
update = importlib.import_module("binhyen.knowledge.migrations.0005_synonyms_round4").update


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0005_synonyms_round4")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
