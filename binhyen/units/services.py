"""Write paths for units and areas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from binhyen.units.models import Area, FormerArea, Unit

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

_AREA_KIND = {"phường": Area.Kind.WARD, "xã": Area.Kind.COMMUNE, "đặc khu": Area.Kind.SPECIAL_ZONE}


def gazetteer_path(province_code: str) -> Path:
    return GAZETTEER_DIR / f"{province_code}.json"


def _compute_path(parent: Unit | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def unit_upsert(
    *, code: str, name: str, kind: str, parent: Unit | None, areas: list[Area] | None = None
) -> Unit:
    """Create or update a unit, keeping the materialised paths of its subtree right."""
    path = _compute_path(parent, code)
    unit, created = Unit.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent, "path": path}
    )
    if not created:
        old_path = unit.path
        unit.name, unit.kind, unit.parent, unit.path = name, kind, parent, path
        unit.save()
        if old_path != path:
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
                child.path = path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    if areas is not None:
        unit.areas.set(areas)
    return unit


@transaction.atomic
def areas_load_gazetteer(*, path: Path) -> dict[str, int]:
    """Load (idempotently) a province's current and former areas from a gazetteer file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    prov = data["province"]
    province, _ = Area.objects.update_or_create(
        code=prov["code"],
        defaults={
            "name": prov["name"],
            "short_name": prov.get("short_name", ""),
            "kind": Area.Kind.PROVINCE,
            "parent": None,
        },
    )
    by_code: dict[str, Area] = {}
    for u in data["units"]:
        centroid = u.get("centroid") or {}
        area, _ = Area.objects.update_or_create(
            code=u["code"],
            defaults={
                "name": u["name"],
                "short_name": u.get("short_name", ""),
                "kind": _AREA_KIND.get(u.get("type", "xã"), Area.Kind.COMMUNE),
                "parent": province,
                "latitude": centroid.get("lat"),
                "longitude": centroid.get("lon"),
            },
        )
        by_code[area.code] = area
    n_former = 0
    for level, key in (
        (FormerArea.Level.COMMUNE, "former_units"),
        (FormerArea.Level.DISTRICT, "former_districts"),
    ):
        for f in data.get(key, []):
            former, _ = FormerArea.objects.update_or_create(
                level=level,
                code=f["code"],
                defaults={"name": f["name"], "district_name": f.get("district_name", "")},
            )
            codes = [n["code"] if isinstance(n, dict) else n for n in f["new_units"]]
            former.areas.set([by_code[c] for c in codes if c in by_code])
            n_former += 1
    return {"areas": len(by_code), "former": n_former}


def unit_name_for_area(area: Area) -> str:
    return f"Công an {area.name[0].lower()}{area.name[1:]}"
