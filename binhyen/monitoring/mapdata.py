"""The province map's data: each commune cell with the chosen figure, and tips by category."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from binhyen.cases.models import Case, Intent, Message
from binhyen.monitoring import kpis, scoring
from binhyen.monitoring.geo import load_cells, projector
from binhyen.monitoring.periods import Period
from binhyen.units.models import Unit

MAP_FIGURES: dict[str, tuple[str, str]] = {
    # key: (label, unit of the legend)
    "tips_density": ("Tin báo trên 100 km²", "tin / 100 km²"),
    "received": ("Tin tiếp nhận", "tin"),
    "overdue_share": ("Tỷ lệ quá hạn cuối kỳ", "%"),
    "ack_p50": ("Thời gian nhận xử lý (trung vị)", "giờ"),
    "score": ("Điểm xếp hạng", "điểm"),
}
PALETTE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
CATEGORY_COLORS = [
    "#0b5cab",
    "#c62828",
    "#2e7d32",
    "#8e24aa",
    "#ef6c00",
    "#00838f",
    "#6d4c41",
    "#ad1457",
    "#283593",
    "#558b2f",
    "#f9a825",
    "#455a64",
]


def figure_value(key: str, fig: kpis.Figures, area_km2: float | None) -> float | None:
    if key == "tips_density":
        return 100 * fig["received.intent.tip"] / area_km2 if area_km2 else None
    if key == "received":
        return float(fig["received"])
    if key == "overdue_share":
        return 100 * fig["overdue_end"] / fig["open_end"] if fig["open_end"] else None
    if key == "ack_p50":
        v = fig.percentile("ack", 0.5)
        return None if v is None or math.isinf(v) else v / 3600
    if key == "score":
        weights, _ = scoring.current_settings()
        return scoring.score(fig, weights)
    return None


def units_by_area(province: str) -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    for unit in Unit.objects.filter(kind=Unit.Kind.COMMUNE, is_active=True).prefetch_related(
        "areas"
    ):
        for area in unit.areas.all():
            out[area.code] = unit
    return out


@dataclass
class Cell:
    code: str
    name: str
    unit: Unit | None
    polygon: list[list[float]]
    centroid: list[float]
    value: float | None
    visible: bool


def cells_with(
    table: kpis.Table, key: str, *, province: str, visible: set[int] | None = None
) -> list[Cell]:
    data = load_cells(province)
    if data is None:
        return []
    by_area = units_by_area(province)
    out = []
    for c in data["cells"]:
        unit = by_area.get(c["code"])
        shown = unit is not None and (visible is None or unit.pk in visible)
        value = figure_value(key, table.of(unit), c.get("area_km2")) if unit and shown else None
        out.append(Cell(c["code"], c["name"], unit, c["polygon"], c["centroid"], value, shown))
    return out


def tips_by_category(period: Period, unit_ids: list[int]) -> dict[int, dict[str, int]]:
    """Tips received in the period per (responsible) commune and category."""
    out: dict[int, dict[str, int]] = {}
    rows = (
        Case.objects.filter(
            opened_at__gte=period.start,
            opened_at__lt=period.end,
            intent=Intent.TIP,
            unit_id__in=unit_ids,
        )
        .values("unit_id", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        out.setdefault(r["unit_id"], {})[r["category"] or "other_crime"] = r["n"]
    return out


def sent_locations(period: Period, unit_ids: list[int]) -> list[tuple[float, float, str]]:
    """Positions citizens sent with tips in the period (Zalo location messages)."""
    rows = Message.objects.filter(
        direction=Message.Direction.IN,
        latitude__isnull=False,
        longitude__isnull=False,
        case__intent=Intent.TIP,
        case__unit_id__in=unit_ids,
        sent_at__gte=period.start,
        sent_at__lt=period.end,
    ).values_list("longitude", "latitude", "case__category")[:2000]
    return [(lon, lat, cat) for lon, lat, cat in rows if lon is not None and lat is not None]


def svg_map(
    cells: list[Cell],
    *,
    province: str,
    pins: dict[int, dict[str, int]],
    category: str,
    points: list[tuple[float, float, str]],
    width: float = 800,
) -> dict[str, Any]:
    """Everything the template draws, already projected (numbers and colours only)."""
    data = load_cells(province)
    if data is None:
        return {"available": False}
    project, height = projector(data, width)
    values = sorted(c.value for c in cells if c.value is not None)
    top = values[-1] if values else 0.0
    # Quantile classes: five colours with about as many communes each.
    n = len(values)
    breaks = [values[min(n - 1, n * (i + 1) // 5)] for i in range(4)] if n else []
    polys: list[dict[str, Any]] = []
    for c in cells:
        pts = " ".join("{:.1f},{:.1f}".format(*project(lon, lat)) for lon, lat in c.polygon)
        if c.value is None or not top:
            fill = "#e0e0e0" if c.visible else "#f5f5f5"
        else:
            fill = PALETTE[sum(1 for b in breaks if c.value > b)]
        x, y = project(*c.centroid)
        polys.append({"cell": c, "points": pts, "fill": fill, "x": f"{x:.1f}", "y": f"{y:.1f}"})
    codes = list(dict.fromkeys(k for v in pins.values() for k in v))
    colour = {
        code: CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i, code in enumerate(sorted(codes))
    }
    circles = []
    for p in polys:
        unit = p["cell"].unit
        counts = pins.get(unit.pk, {}) if unit is not None else {}
        n = sum(counts.values()) if category == "all" else counts.get(category, 0)
        if n:
            main = max(counts, key=lambda k: counts[k]) if category == "all" else category
            circles.append(
                {
                    "x": p["x"],
                    "y": p["y"],
                    "r": f"{3 + 3 * math.sqrt(n):.1f}",
                    "n": n,
                    "fill": colour.get(main, "#0b5cab"),
                    "name": p["cell"].name,
                }
            )
    dots = []
    for lon, lat, cat in points:
        if category in ("all", cat):
            x, y = project(lon, lat)
            dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "fill": colour.get(cat, "#000")})
    edges = [values[0], *breaks, top] if top else []
    legend = [(PALETTE[i], edges[i], edges[i + 1]) for i in range(len(edges) - 1)]
    return {
        "available": True,
        "width": width,
        "height": f"{height:.0f}",
        "polys": polys,
        "circles": circles,
        "dots": dots,
        "legend": legend,
        "category_colours": sorted(colour.items()),
        "method": data.get("method", ""),
    }
