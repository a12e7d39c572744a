"""`binhyen geo-cells [--province 66]`: recompute the map's commune cells from the gazetteer
(binhyen/data/geo/<province>-cells.json; see binhyen/monitoring/geo.py)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from binhyen.monitoring.geo import build_cells, cells_path
from binhyen.units.services import gazetteer_path


class Command(BaseCommand):
    help = "Recompute the province map's approximate commune cells (Voronoi of centroids)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="66")

    def handle(self, *args: Any, **opts: Any) -> None:
        gazetteer = json.loads(gazetteer_path(opts["province"]).read_text(encoding="utf-8"))
        data = build_cells(gazetteer)
        path = cells_path(opts["province"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
        self.stdout.write(f"{path}: {len(data['cells'])} cells")
