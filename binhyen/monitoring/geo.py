"""Commune shapes for the province map, computed offline from what the repository holds.

No open commune boundary polygons for the 2025 communes of Đắk Lắk are available offline
(the gazetteer has point centroids and areas only, docs/monitoring.md "Map data"). The map
therefore draws an honest approximation: the Voronoi cell of each commune's centroid (every
point closer to that centroid than to any other), clipped to an outline of the province made
of the centroids' convex hull pushed 8 km outwards. The cells are computed once by
`binhyen geo-cells` (scipy) and kept in `binhyen/data/geo/<province>-cells.json`; pages and
reports only read that file. Cells are not borders and the page says so.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
OUTLINE_MARGIN_KM = 8.0
KM_PER_DEG_LAT = 110.57


def cells_path(province: str) -> Path:
    return DATA_DIR / f"{province}-cells.json"


def _clip(
    polygon: list[tuple[float, float]], clip: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: `polygon` clipped by the convex, counter-clockwise `clip`."""

    def inside(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> bool:
        return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0

    def cross(
        p: tuple[float, float],
        q: tuple[float, float],
        a: tuple[float, float],
        b: tuple[float, float],
    ) -> tuple[float, float]:
        dc = (a[0] - b[0], a[1] - b[1])
        dp = (p[0] - q[0], p[1] - q[1])
        n1 = a[0] * b[1] - a[1] * b[0]
        n2 = p[0] * q[1] - p[1] * q[0]
        d = dc[0] * dp[1] - dc[1] * dp[0]
        return ((n1 * dp[0] - n2 * dc[0]) / d, (n1 * dp[1] - n2 * dc[1]) / d)

    out = polygon
    for i in range(len(clip)):
        a, b = clip[i], clip[(i + 1) % len(clip)]
        src, out = out, []
        if not src:
            break
        prev = src[-1]
        for cur in src:
            if inside(cur, a, b):
                if not inside(prev, a, b):
                    out.append(cross(prev, cur, a, b))
                out.append(cur)
            elif inside(prev, a, b):
                out.append(cross(prev, cur, a, b))
            prev = cur
    return out


def build_cells(gazetteer: dict[str, Any]) -> dict[str, Any]:
    """Voronoi cells of the communes' centroids, clipped to the buffered hull (km plane)."""
    from scipy.spatial import ConvexHull, Voronoi  # deferred: only when the cells are built

    units = [u for u in gazetteer["units"] if u.get("centroid")]
    lat0 = sum(u["centroid"]["lat"] for u in units) / len(units)
    lon0 = sum(u["centroid"]["lon"] for u in units) / len(units)
    kx = KM_PER_DEG_LAT * math.cos(math.radians(lat0))

    def to_km(lat: float, lon: float) -> tuple[float, float]:
        return ((lon - lon0) * kx, (lat - lat0) * KM_PER_DEG_LAT)

    def to_deg(x: float, y: float) -> list[float]:
        return [round(lon0 + x / kx, 5), round(lat0 + y / KM_PER_DEG_LAT, 5)]

    points = [to_km(u["centroid"]["lat"], u["centroid"]["lon"]) for u in units]
    hull = ConvexHull(points)
    ring = [points[i] for i in hull.vertices]  # counter-clockwise
    cx = sum(p[0] for p in ring) / len(ring)
    cy = sum(p[1] for p in ring) / len(ring)
    outline = []
    for x, y in ring:
        d = math.hypot(x - cx, y - cy) or 1.0
        outline.append((x + (x - cx) / d * OUTLINE_MARGIN_KM, y + (y - cy) / d * OUTLINE_MARGIN_KM))
    far = 10_000.0
    vor = Voronoi([*points, (far, far), (-far, far), (far, -far), (-far, -far)])
    cells = []
    for i, unit in enumerate(units):
        region = vor.regions[vor.point_region[i]]
        poly = [tuple(vor.vertices[j]) for j in region if j >= 0]
        # Voronoi regions are convex: order their vertices around the centroid.
        px, py = points[i]
        poly.sort(key=lambda p: math.atan2(p[1] - py, p[0] - px))
        clipped = _clip(poly, outline)
        cells.append(
            {
                "code": unit["code"],
                "name": unit["name"],
                "area_km2": unit.get("area_km2"),
                "centroid": [unit["centroid"]["lon"], unit["centroid"]["lat"]],
                "polygon": [to_deg(x, y) for x, y in clipped],
            }
        )
    return {
        "format": "binhyen-cells/1",
        "province": gazetteer["province"]["code"],
        "method": (
            "Voronoi cells of commune centroids, clipped to the centroids' convex hull "
            f"buffered by {OUTLINE_MARGIN_KM:g} km. An approximation, not boundaries."
        ),
        "source": gazetteer.get("attribution", {}).get("centroids", ""),
        "outline": [to_deg(x, y) for x, y in outline],
        "cells": cells,
    }


@cache
def load_cells(province: str) -> dict[str, Any] | None:
    path = cells_path(province)
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def projector(data: dict[str, Any], width: float) -> tuple[Any, float]:
    """A function (lon, lat) -> (x, y) in an SVG box `width` wide, and the box's height."""
    lons = [p[0] for p in data["outline"]]
    lats = [p[1] for p in data["outline"]]
    lat0 = (min(lats) + max(lats)) / 2
    kx = math.cos(math.radians(lat0))
    span_x = (max(lons) - min(lons)) * kx
    span_y = max(lats) - min(lats)
    scale = width / span_x
    height = span_y * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - min(lons)) * kx * scale, (max(lats) - lat) * scale)

    return project, height
