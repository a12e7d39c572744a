"""Where a tip happened: the commune picker (current and former names) and routing.

The picker offers the province's current communes/wards, the pre-2025 wards, communes and
towns, and the former districts, because citizens keep using the old names. A choice, a
map pin or a free address leads to a current commune code, and the code to its police unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from binhyen.channels.models import ChannelAccount
from binhyen.lib import vntext
from binhyen.lib.gazetteer import Gazetteer
from binhyen.units.models import Unit

# A pin farther than this from every commune centre is not used for routing.
PIN_MAX_KM = 25.0


@dataclass(frozen=True)
class PickerOption:
    value: str  # "24133" current; "cu:<code>" former commune; "huyen:<code>" former district
    label: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    unit: Unit | None
    label: str  # what the citizen chose or gave, as words
    reason: str  # why this unit (timeline text)
    candidates: tuple[str, ...] = field(default_factory=tuple)  # names when undecided


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@lru_cache(maxsize=1)
def picker_groups() -> tuple[tuple[str, tuple[PickerOption, ...]], ...]:
    g = gazetteer()

    def by_name(options: list[PickerOption]) -> tuple[PickerOption, ...]:
        return tuple(sorted(options, key=lambda o: vntext.fold(o.label)))

    current = [PickerOption(u.code, u.name, (u.code,)) for u in g.units]
    former = [
        PickerOption(f"cu:{f.code}", f"{f.name} (cũ, {f.district_name})", f.new_codes)
        for f in g.former_units
    ]
    districts = [
        PickerOption(f"huyen:{d.code}", f"{d.name} (cũ)", d.new_codes) for d in g.former_districts
    ]
    return (
        ("Xã, phường, đặc khu hiện nay", by_name(current)),
        ("Tên cũ: xã, phường, thị trấn trước năm 2025", by_name(former)),
        ("Tên cũ: huyện, thị xã, thành phố trước năm 2025", by_name(districts)),
    )


@lru_cache(maxsize=1)
def _options() -> dict[str, PickerOption]:
    return {o.value: o for _group, options in picker_groups() for o in options}


def option(value: str) -> PickerOption | None:
    return _options().get(value)


def choices() -> list[tuple[str, object]]:
    """For a Django ChoiceField: an empty choice, then the groups."""
    return [("", "— Không rõ / không chọn —")] + [
        (group, [(o.value, o.label) for o in options]) for group, options in picker_groups()
    ]


def _distance_km(code: str, lat: float, lon: float) -> float:
    unit = gazetteer().unit(code)
    if unit.lat is None or unit.lon is None:
        return math.inf
    p1, p2 = math.radians(lat), math.radians(unit.lat)
    dp, dl = p2 - p1, math.radians(unit.lon - lon)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def commune_unit(code: str, within: Unit) -> Unit | None:
    return (
        Unit.objects.filter(
            kind=Unit.Kind.COMMUNE,
            is_active=True,
            areas__code=code,
            path__startswith=within.path,
        )
        .order_by("path")
        .first()
    )


def _name(code: str) -> str:
    try:
        return gazetteer().unit(code).name
    except KeyError:
        return code


def place_tip(
    *,
    channel_account: ChannelAccount,
    value: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Placement:
    """The commune unit a tip belongs to, and the words that explain it."""
    pin = latitude is not None and longitude is not None
    chosen = option(value) if value else None
    code = ""
    label = ""
    reason = ""
    candidates: tuple[str, ...] = ()
    if chosen is not None:
        label = chosen.label
        if len(chosen.codes) == 1:
            code = chosen.codes[0]
            reason = f"người báo tin chọn địa bàn “{chosen.label}”"
        elif pin:
            code = min(chosen.codes, key=lambda c: _distance_km(c, latitude, longitude))  # type: ignore[arg-type]
            reason = (
                f"người báo tin chọn “{chosen.label}” (nay thuộc nhiều xã, phường); "
                "chọn nơi gần vị trí đã đánh dấu nhất"
            )
        else:
            candidates = tuple(_name(c) for c in chosen.codes)
    if not code and not candidates and pin:
        nearest = gazetteer().nearest(latitude, longitude, n=1)  # type: ignore[arg-type]
        if nearest and nearest[0][1] <= PIN_MAX_KM:
            code = nearest[0][0]
            label = label or _name(code)
            reason = f"vị trí người báo tin đánh dấu trên bản đồ gần {_name(code)}"
    if not code and not candidates and address.strip():
        resolved = gazetteer().resolve(address).codes
        if len(resolved) == 1:
            code = resolved[0]
            label = label or _name(code)
            reason = f"địa chỉ người báo tin ghi thuộc {_name(code)}"
    unit = commune_unit(code, channel_account.unit) if code else None
    if unit is not None:
        reason = f"Tin gửi qua biểu mẫu: {reason}"
    return Placement(unit=unit, label=label, reason=reason, candidates=candidates)
