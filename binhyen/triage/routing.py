"""Which police unit is responsible for a place, and which units are near a point.

Area codes are the official 2025 commune/ward codes; a unit serves one or more areas
(``Unit.areas``), so after a merger or split of units the mapping follows the data.
Centroids (``Area.latitude/longitude``) are approximate: they rank units by distance for a
suggestion, they never decide a transfer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from binhyen.lib import memo
from binhyen.units.models import Area, Unit

COMMUNE_AREA_KINDS = (Area.Kind.WARD, Area.Kind.COMMUNE, Area.Kind.SPECIAL_ZONE)


@dataclass(frozen=True)
class Near:
    unit: Unit
    area_code: str
    km: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def units_for_codes(codes: Iterable[str]) -> dict[str, Unit]:
    """The active unit serving each area code (codes nobody serves are left out).

    When several active units serve an area, the deepest one (the commune unit rather than
    a unit above it) is responsible."""
    codes = [str(c) for c in codes]
    if not codes:
        return {}
    return dict(memo.remember(("routing.units_for", tuple(codes)), lambda: _units_for(codes)))


def _units_for(codes: list[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    through = Unit.areas.through.objects.filter(
        area__code__in=codes, unit__is_active=True
    ).select_related("unit", "area")
    for link in through:
        unit, code = link.unit, link.area.code
        if unit.kind == Unit.Kind.PROVINCE:
            continue
        current = found.get(code)
        if current is None or len(unit.path) > len(current.path):
            found[code] = unit
    missing = [c for c in codes if c not in found]
    if missing:  # a unit whose code is the area code, areas not linked (older data)
        for unit in Unit.objects.filter(code__in=missing, is_active=True):
            found[unit.code] = unit
    return found


def unit_centroids(units: Iterable[Unit]) -> dict[int, tuple[float, float]]:
    """The centroid of each unit's first commune-level area that has one."""
    ids = tuple(u.pk for u in units)
    return dict(memo.remember(("routing.centroids", ids), lambda: _centroids(ids)))


def _centroids(ids: tuple[int, ...]) -> dict[int, tuple[float, float]]:
    out: dict[int, tuple[float, float]] = {}
    links = (
        Unit.areas.through.objects.filter(
            unit_id__in=ids,
            area__kind__in=COMMUNE_AREA_KINDS,
            area__latitude__isnull=False,
            area__longitude__isnull=False,
        )
        .order_by("area__code")
        .values_list("unit_id", "area__latitude", "area__longitude")
    )
    for unit_id, lat, lon in links:
        if lat is not None and lon is not None:
            out.setdefault(unit_id, (lat, lon))
    return out


def nearest_units(lat: float, lon: float, n: int = 3) -> list[Near]:
    """The n active units whose area centroids are closest to a point."""
    areas = Area.objects.filter(
        kind__in=COMMUNE_AREA_KINDS, latitude__isnull=False, longitude__isnull=False
    ).values_list("code", "latitude", "longitude")
    ranked = sorted(
        (haversine_km(lat, lon, a_lat, a_lon), code)
        for code, a_lat, a_lon in areas
        if a_lat is not None and a_lon is not None
    )
    by_code = units_for_codes(code for _, code in ranked[: n * 3])
    out: list[Near] = []
    seen: set[int] = set()
    for km, code in ranked[: n * 3]:
        unit = by_code.get(code)
        if unit is None or unit.pk in seen:
            continue
        seen.add(unit.pk)
        out.append(Near(unit=unit, area_code=code, km=round(km, 1)))
        if len(out) == n:
            break
    return out


def units_within(points: Iterable[tuple[float, float]], km: float) -> set[int]:
    """Ids of active units with an area centroid within ``km`` of any of the points."""
    points = list(points)
    if not points:
        return set()
    return {
        unit_id
        for unit_id, a_lat, a_lon in memo.remember(("routing.unit_points",), _unit_points)
        if any(haversine_km(lat, lon, a_lat, a_lon) <= km for lat, lon in points)
    }


def _unit_points() -> list[tuple[int, float, float]]:
    links = Unit.areas.through.objects.filter(
        unit__is_active=True,
        area__kind__in=COMMUNE_AREA_KINDS,
        area__latitude__isnull=False,
        area__longitude__isnull=False,
    ).values_list("unit_id", "area__latitude", "area__longitude")
    return [(u, lat, lon) for u, lat, lon in links if lat is not None and lon is not None]


def area_points(codes: Iterable[str]) -> list[tuple[float, float]]:
    wanted = tuple(str(c) for c in codes)
    if not wanted:
        return []
    return list(memo.remember(("routing.area_points", wanted), lambda: _area_points(wanted)))


def _area_points(codes: tuple[str, ...]) -> list[tuple[float, float]]:
    rows = Area.objects.filter(
        code__in=codes, latitude__isnull=False, longitude__isnull=False
    ).values_list("latitude", "longitude")
    return [(lat, lon) for lat, lon in rows if lat is not None and lon is not None]
