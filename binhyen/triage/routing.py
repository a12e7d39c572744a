"""Which police unit is responsible for a place, and which units are near a point.

Area codes are the official 2025 commune/ward codes; a unit serves one or more areas
(``Unit.areas``), so after a merger or split of units the mapping follows the data.
Centroids (``Area.latitude/longitude``) are approximate: they rank units by distance for a
suggestion, they never decide a transfer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

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
    if not memo.active():
        return _units_for(codes)
    # The areas read with their units give their points too (`area_points` of the same
    # places, asked next by the duplicate search, then needs no query).
    points: dict[str, tuple[float, float] | None] = memo.remember(("routing.point_of_area",), dict)
    known = _per_key(
        "routing.unit_of_code", codes, lambda missing: _units_for(missing, points=points)
    )
    return {code: known[code] for code in codes if known[code] is not None}


def _per_key(
    name: str, keys: list[Any], read: Callable[[list[Any]], dict[Any, Any]]
) -> dict[Any, Any]:
    """In a worker's batch: what `read` says of each key, remembered key by key (a key
    without an answer as None), so that another event naming some of the same places
    reads only those it is the first to name."""
    known: dict[Any, Any] = memo.remember((name,), dict)
    missing = [key for key in dict.fromkeys(keys) if key not in known]
    if missing:
        found = read(missing)
        for key in missing:
            known[key] = found.get(key)
    return known


def _units_for(
    codes: list[str], points: dict[str, tuple[float, float] | None] | None = None
) -> dict[str, Unit]:
    """`points`: filled with the point (or None) of each linked area read on the way."""
    found: dict[str, Unit] = {}
    through = Unit.areas.through.objects.filter(
        area__code__in=codes, unit__is_active=True
    ).select_related("unit", "area")
    for link in through:
        unit, code = link.unit, link.area.code
        if points is not None:
            lat, lon = link.area.latitude, link.area.longitude
            points[code] = (lat, lon) if lat is not None and lon is not None else None
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
    if not memo.active():
        return _centroids(ids)
    # Seeded with every active unit's (read anyway by `units_within`); others are read.
    memo.remember(("routing.centroid_of_unit",), _active_centroids)
    known = _per_key("routing.centroid_of_unit", list(ids), _centroids)
    return {pk: known[pk] for pk in ids if known[pk] is not None}


def _centroids(ids: Iterable[int]) -> dict[int, tuple[float, float]]:
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

    def within() -> frozenset[int]:
        return frozenset(
            unit_id
            for unit_id, a_lat, a_lon in memo.remember(("routing.unit_points",), _unit_points)
            if any(haversine_km(lat, lon, a_lat, a_lon) <= km for lat, lon in points)
        )

    # In a worker's batch the events of a unit ask about the same points: once each.
    return set(memo.remember(("routing.units_within", tuple(points), km), within))


def _active_centroids() -> dict[int, tuple[float, float] | None]:
    """In a worker's batch: the centroid of every active unit (as `_centroids`: its first
    commune-level area by code), from the points `units_within` reads anyway."""
    out: dict[int, tuple[float, float] | None] = {}
    for unit_id, lat, lon in memo.remember(("routing.unit_points",), _unit_points):
        out.setdefault(unit_id, (lat, lon))
    return out


def _unit_points() -> list[tuple[int, float, float]]:
    """Every active unit's commune-level area points, each unit's in area code order."""
    links = (
        Unit.areas.through.objects.filter(
            unit__is_active=True,
            area__kind__in=COMMUNE_AREA_KINDS,
            area__latitude__isnull=False,
            area__longitude__isnull=False,
        )
        .order_by("unit_id", "area__code")
        .values_list("unit_id", "area__latitude", "area__longitude")
    )
    return [(u, lat, lon) for u, lat, lon in links if lat is not None and lon is not None]


def area_points(codes: Iterable[str]) -> list[tuple[float, float]]:
    wanted = tuple(str(c) for c in codes)
    if not wanted:
        return []
    if not memo.active():
        return list(_area_points(list(wanted)).values())
    known = _per_key("routing.point_of_area", list(wanted), _area_points)
    return [known[code] for code in dict.fromkeys(wanted) if known[code] is not None]


def _area_points(codes: list[str]) -> dict[str, tuple[float, float]]:
    rows = Area.objects.filter(
        code__in=codes, latitude__isnull=False, longitude__isnull=False
    ).values_list("code", "latitude", "longitude")
    return {code: (lat, lon) for code, lat, lon in rows if lat is not None and lon is not None}
