"""Place names in citizens' messages → official 2025 commune/ward codes.

The gazetteer file (format ``binhyen-gazetteer/1``) lists the current communes/wards of one
province plus the pre-2025 wards/communes/towns and districts that citizens keep using.
``Gazetteer.resolve(text)`` finds place mentions on folded token boundaries and applies the
labelling rules of ``docs/reference/labelling.md`` ("place_codes"):

1. a current unit, with or without a prefix (``p.``, ``x``, ``tt``…) → its code;
2. a former ward/commune/town → its new unit(s), every candidate when it was split;
3. a former district/town/city with a district prefix → all its new units;
4. a district named next to a ward only tells apart former units with the same name;
5. a prefixed name that is also a current unit → the current unit (unless the district or
   ``cũ`` says otherwise);
6. a bare name that is also a former district → all units of that district;
7. landmarks named after a unit count; streets, roads, bridges, villages do not;
8. directions of travel, a caller's claimed office, routes and places in other provinces are
   ignored; a district-level mention is dropped when a unit-level one is present;
9. nothing resolvable → ``[]`` (other provinces, the province name alone).

Everything is plain data + dict look-ups: resolving one message takes tens of microseconds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from binhyen.lib import vntext
from binhyen.lib.vntext import Word

__all__ = [
    "DEFAULT_PATH",
    "FormerDistrict",
    "FormerUnit",
    "Gazetteer",
    "PickerEntry",
    "Resolution",
    "Unit",
]

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "66.json"
FORMAT = "binhyen-gazetteer/1"


@dataclass(frozen=True)
class Unit:
    """A current (2025) commune or ward."""

    code: str
    name: str  # "Phường Tân Lập"
    type: str  # "xã" | "phường" | "đặc khu"
    short_name: str  # "Tân Lập"
    lat: float | None
    lon: float | None
    area_km2: float | None = None


@dataclass(frozen=True)
class FormerUnit:
    """A pre-2025 ward, commune or town and the current unit(s) it went into."""

    code: str
    name: str  # "Phường Tân Lợi"
    type: str  # "xã" | "phường" | "thị trấn"
    district_code: str
    district_name: str
    new_codes: tuple[str, ...]
    split: bool  # merged_part: several candidates
    names: tuple[str, ...] = ()  # spelling variants, with prefix


@dataclass(frozen=True)
class FormerDistrict:
    """A pre-2025 district, town or city and the current units covering it."""

    code: str
    name: str  # "Huyện Krông Pắc"
    type: str  # "huyện" | "thị xã" | "thành phố"
    new_codes: tuple[str, ...]
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class PickerEntry:
    """One line of a commune picker: a current or former name leading to current codes."""

    label: str  # "Phường Tân Lợi (cũ, Thành phố Buôn Ma Thuột)"
    codes: tuple[str, ...]
    current: bool
    folded: str  # for prefix search without diacritics


@dataclass
class Resolution:
    codes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


# --- matching vocabulary -----------------------------------------------------------------

_PREFIXES: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {
    # folded tokens -> (kind, accented form of each token)
    ("xa",): ("xã", ("xã",)),
    ("phuong",): ("phường", ("phường",)),
    ("thi", "tran"): ("thị trấn", ("thị", "trấn")),
    ("dac", "khu"): ("đặc khu", ("đặc", "khu")),
    ("huyen",): ("huyện", ("huyện",)),
    ("thi", "xa"): ("thị xã", ("thị", "xã")),
    ("thanh", "pho"): ("thành phố", ("thành", "phố")),
    ("quan",): ("quận", ("quận",)),
    ("tinh",): ("tỉnh", ("tỉnh",)),
}
_PREFIX_STARTS = {k[0] for k in _PREFIXES}
_DISTRICT_PREFIXES = {"huyện", "thị xã", "thành phố", "quận"}
# A prefix typed without accents is ambiguous for these ("quán" = shop, "tính"/"tình").
_ACCENT_REQUIRED = {"quận", "tỉnh"}

# Words after which a name is a street, road, village, person, bridge... (rule 7).
_NOT_A_PLACE_BEFORE = {
    "duong", "pho", "hem", "ngo", "kiet", "lo", "ql", "quoc", "tl", "cau", "deo", "thac",
    "thon", "buon", "xom", "ap", "lang", "khoi", "bon", "nui", "dinh", "y", "ama", "ami",
    "chua", "tho", "ks", "san", "tuyen", "ten", "anh", "chi", "ong", "ba", "co",
}  # fmt: skip
_NOT_A_PLACE_BIGRAMS = {("khu", "pho"), ("dan", "pho"), ("dai", "lo"), ("dai", "hoc")}
_SURNAMES = {
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ngo", "duong", "ly", "dinh", "mai", "trinh", "luong", "lam", "truong", "cao", "ha", "ton",
}  # fmt: skip
# Words that make a bare, ordinary-looking name a place ("chợ Tân An", "ở Hai Riêng").
_CUES = {
    "o", "tai", "cho", "ho", "vuc", "thuoc", "gan", "canh", "doan", "qua", "ubnd", "truong",
    "thcs", "thpt", "nghiep", "ccn", "ben", "que", "tu", "an", "nga", "dam", "khu", "tram",
    "trong", "ngoai", "sau", "ba", "nam", "giap", "quanh", "vung",
}  # fmt: skip
_DIRECTION_BEFORE = {"huong", "phia"}
_MOTION_PREPOSITIONS = {"ve", "sang", "ra", "len", "xuong"}
_GOING_TO = {"ra", "len", "sang"}  # "phải ra Tuy Hòa", "lên tỉnh": a destination
_MOTION_VERBS = {"huong", "chay", "tron", "phong", "chuon", "chuyen", "cho"}
_OLD_MARKER = "cũ"
_CLAIMED = "nơi người gọi tự xưng"
_HOMETOWN = "quê quán, không phải nơi xảy ra"
_PRONOUNS = {"em", "toi", "minh", "chau", "anh", "chi", "no", "ba", "ong", "co", "chu"}

# Other provinces, big cities and countries: mentions followed by them are not ours, and a
# bare match on them resolves to nothing.
_FOREIGN = """
ha noi|ho chi minh|sai gon|hai phong|da nang|can tho|ha giang|cao bang|bac kan|tuyen quang|
lao cai|dien bien|lai chau|son la|yen bai|hoa binh|thai nguyen|lang son|quang ninh|bac giang|
phu tho|vinh phuc|bac ninh|hai duong|hung yen|thai binh|ha nam|nam dinh|ninh binh|thanh hoa|
nghe an|ha tinh|quang binh|quang tri|thua thien hue|hue|quang nam|quang ngai|binh dinh|
khanh hoa|ninh thuan|binh thuan|kon tum|gia lai|dak nong|lam dong|binh phuoc|tay ninh|
binh duong|dong nai|ba ria|vung tau|long an|tien giang|ben tre|tra vinh|vinh long|dong thap|
an giang|kien giang|hau giang|soc trang|bac lieu|ca mau|nha trang|quy nhon|pleiku|da lat|
cam ranh|ha dong|gia nghia|campuchia|trung quoc|han quoc|nhat ban|dai loan|thai lan|
phu yen|dak lak|daklak|dac lac|dak lac
"""
_PROVINCE_ALIASES = {"dak lak": ("daklak", "dac lac", "dak lac"), "phu yen": ()}
# Spellings citizens use that the official lists do not have.
_ALIASES = {
    "buon ma thuot": ("ban me thuot", "buon me thuot", "ban me", "buon ma thuat"),
    "krong pac": ("krong pak", "krongpac"),
    "krong a na": ("krong ana",),
    "mdrak": ("ma drak", "m drak"),
    "ea hleo": ("ea leo", "eahleo"),
    "cu mgar": ("cumgar", "cu m gar"),
    "cu kuin": ("cukuin",),
}
_MARKED_FIRST = {"ea", "ia", "cu", "krong", "dak", "buon", "dray", "dur", "cuor", "chu", "ya"}
_KINH = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|uyu|oai|oay|uay|oeo|ieu|yeu|uoi|uou|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|ua|ue|ui|"
    r"uo|uu|uy|ye|[aeiouy])"
    r"(ch|ng|nh|[cmnpt])?$"
)


def _strip_prefix(name: str) -> str:
    low = name.strip()
    for p in ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Phường ", "Xã ", "Đặc khu ",
              "Tỉnh "):  # fmt: skip
        if low.lower().startswith(p.lower()):
            return low[len(p) :].strip()
    return low


def _name_keys(name: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Folded token keys for a name (and its spelling variants) with accent keys."""
    name = re.sub(r"\s+", " ", name)
    ws = [w for w in vntext.words(name)]
    base = tuple(w.text for w in ws)
    accents = tuple(vntext.accent_key(w.raw) if w.raw else w.text for w in ws)
    keys = [(base, accents)]
    folded = " ".join(base)
    # "Ea Kar" is also typed "EaKar"; "M’Drắk" also "M Drắk".
    if 2 <= len(base) <= 3 and base[0] in _MARKED_FIRST:
        joined = ("".join(base),)
        keys.append((joined, ("".join(accents),)))
    if any(ch in name for ch in "'’‘`ʼ"):
        spaced = vntext.words(re.sub(r"['’‘`ʼ]", " ", name))
        k = tuple(w.text for w in spaced)
        keys.append((k, tuple(vntext.accent_key(w.raw) if w.raw else w.text for w in spaced)))
    for alias in _ALIASES.get(folded, ()):
        k = tuple(alias.split())
        keys.append((k, k))
    return keys


def _is_common(key: tuple[str, ...]) -> bool:
    """An ordinary Vietnamese-looking name ("Tân An", "Hòa Thuận") that needs context."""
    if len(key) >= 3 or key[0] in _MARKED_FIRST:
        return False
    return all(_KINH.match(t) for t in key)


@dataclass(frozen=True)
class _Entry:
    kind: str  # "unit" | "former" | "district" | "province" | "foreign"
    ref: Unit | FormerUnit | FormerDistrict | str
    accents: tuple[str, ...]
    numeric: bool = False


@dataclass
class _Mention:
    start: int  # first token (prefix included)
    name_start: int
    end: int  # after the name (and "cũ")
    prefix: str | None
    entries: list[_Entry]
    common: bool
    old: bool  # followed by "cũ"
    cue: bool
    ignored: str = ""  # why it does not count


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


class Gazetteer:
    """Current and former administrative units of one province, and a place resolver."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file: format={data.get('format')!r}")
        province = data["province"]
        assert isinstance(province, dict)
        self.province_code: str = str(province["code"])
        self.province_name: str = str(province["name"])
        self.province_short_name: str = str(province.get("short_name") or province["name"])
        self._units: dict[str, Unit] = {}
        self._former: list[FormerUnit] = []
        self._districts: dict[str, FormerDistrict] = {}
        self._former_provinces: set[str] = set()
        self._reason_cache: dict[str, str] = {}
        self._load_units(data)
        self._index: dict[tuple[str, ...], list[_Entry]] = {}
        self._build_index()
        lengths: dict[str, set[int]] = {}
        for k in self._index:
            lengths.setdefault(k[0], set()).add(len(k))
        self._lengths = {t: tuple(sorted(ls, reverse=True)) for t, ls in lengths.items()}
        self._starts = set(self._lengths) | {k[0] for k in _PREFIXES}

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> Gazetteer:
        """Load a ``binhyen-gazetteer/1`` file (default: the shipped Đắk Lắk file, 66.json)."""
        with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
            return cls(json.load(fh))

    def _load_units(self, data: dict[str, Any]) -> None:
        def centroid(row: dict[str, Any]) -> tuple[float | None, float | None]:
            c = row.get("centroid")
            if isinstance(c, dict) and c.get("lat") is not None:
                return float(c["lat"]), float(c["lon"])
            return None, None

        for row in data.get("units", []):
            lat, lon = centroid(row)
            code = str(row["code"])
            self._units[code] = Unit(
                code=code,
                name=row["name"],
                type=row["type"],
                short_name=row.get("short_name") or _strip_prefix(row["name"]),
                lat=lat,
                lon=lon,
                area_km2=row.get("area_km2"),
            )
        for row in data.get("former_units", []):
            new = [n for n in row["new_units"] if str(n["code"]) in self._units]
            if not new:
                continue
            names = tuple(dict.fromkeys([row["name"], *row.get("name_variants", [])]))
            self._former_provinces.add(str(row.get("former_province") or ""))
            self._former.append(
                FormerUnit(
                    code=str(row["code"]),
                    name=row["name"],
                    type=row["type"],
                    district_code=str(row.get("district_code", "")),
                    district_name=row.get("district_name", ""),
                    new_codes=tuple(sorted({str(n["code"]) for n in new})),
                    split=any(n.get("relation") == "merged_part" for n in new),
                    names=names,
                )
            )
        for row in data.get("former_districts", []):
            lat, lon = centroid(row)
            codes = tuple(sorted(str(c) for c in row["new_units"] if str(c) in self._units))
            self._districts[str(row["code"])] = FormerDistrict(
                code=str(row["code"]),
                name=row["name"],
                type=row["type"],
                new_codes=codes,
                lat=lat,
                lon=lon,
            )

    def _add(self, name: str, kind: str, ref: Unit | FormerUnit | FormerDistrict | str) -> None:
        for key, accents in _name_keys(name):
            if not key:
                continue
            entry = _Entry(kind, ref, accents, numeric=all(t.isdigit() for t in key))
            bucket = self._index.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    def _build_index(self) -> None:
        for u in self._units.values():
            self._add(u.short_name, "unit", u)
        for f in self._former:
            for n in f.names:
                self._add(_strip_prefix(n), "former", f)
        for d in self._districts.values():
            self._add(_strip_prefix(d.name), "district", d)
        own = {vntext.fold(self.province_short_name)}
        provinces = {vntext.fold(_strip_prefix(self.province_name))}
        provinces |= {vntext.fold(_strip_prefix(p)) for p in self._former_provinces if p}
        for p in provinces | own:
            self._add(p, "province", p)
            for alias in _PROVINCE_ALIASES.get(p, ()):
                self._add(alias, "province", p)
        for foreign in _FOREIGN.replace("\n", "").split("|"):
            foreign = foreign.strip()
            if foreign and foreign not in provinces and foreign not in own:
                key = tuple(foreign.split())
                if not any(e.kind == "province" for e in self._index.get(key, [])):
                    self._add(foreign, "foreign", foreign)

    # --- accessors -----------------------------------------------------------------------

    @property
    def units(self) -> list[Unit]:
        """Current units, sorted by code."""
        return [self._units[c] for c in sorted(self._units)]

    @property
    def former_units(self) -> list[FormerUnit]:
        return list(self._former)

    @property
    def former_districts(self) -> list[FormerDistrict]:
        return [self._districts[c] for c in sorted(self._districts)]

    def unit(self, code: str | int) -> Unit:
        return self._units[str(code)]

    def picker_entries(self) -> list[PickerEntry]:
        """Current names first, then former units and districts, for a commune picker."""
        out = [PickerEntry(u.name, (u.code,), True, vntext.fold(u.name)) for u in self.units]
        for f in self._former:
            label = f"{f.name} (cũ, {f.district_name})"
            out.append(PickerEntry(label, f.new_codes, False, vntext.fold(label)))
        for d in self.former_districts:
            label = f"{d.name} (cũ)"
            out.append(PickerEntry(label, d.new_codes, False, vntext.fold(label)))
        return out

    def names_for(self, code: str | int) -> list[str]:
        """The current name and every former unit/district name covering a current unit."""
        code = str(code)
        names = [self._units[code].name]
        names += [f"{f.name} ({f.district_name})" for f in self._former if code in f.new_codes]
        names += [d.name for d in self.former_districts if code in d.new_codes]
        return names

    def search(self, query: str, limit: int = 20) -> list[PickerEntry]:
        """Picker entries whose folded label contains every folded word of the query."""
        q = vntext.fold(query).split()
        hits = [e for e in self.picker_entries() if all(w in e.folded.split() for w in q)]
        return hits[:limit]

    def nearest(self, lat: float, lon: float, n: int = 3) -> list[tuple[str, float]]:
        """The n current units whose centroid is closest, with the distance in km."""
        dists = [
            (u.code, _haversine_km(lat, lon, u.lat, u.lon))
            for u in self._units.values()
            if u.lat is not None and u.lon is not None
        ]
        dists.sort(key=lambda cd: cd[1])
        return [(c, round(d, 2)) for c, d in dists[:n]]

    # --- resolving -------------------------------------------------------------------------

    def resolve(self, text: str, words: list[Word] | None = None) -> Resolution:
        """Official codes (sorted) that the message's place reference resolves to.

        ``words`` may pass ``vntext.words(text)`` when the caller has it already."""
        ws = vntext.words(text) if words is None else words
        mentions = self._scan(ws, [w.text for w in ws])
        return self._decide(ws, mentions) if mentions else Resolution()

    def _prefix_at(self, ws: list[Word], ts: list[str], i: int) -> tuple[str, int] | None:
        if ts[i] not in _PREFIX_STARTS:
            return None
        for length in (2, 1):
            key = tuple(ts[i : i + length])
            if len(key) != length or key not in _PREFIXES:
                continue
            kind, accents = _PREFIXES[key]
            if all(
                self._prefix_word_ok(w, acc, kind)
                for w, acc in zip(ws[i : i + length], accents, strict=True)
            ):
                return kind, length
        return None

    def _name_at(
        self, ws: list[Word], ts: list[str], j: int, bare: bool, kind: str | None = None
    ) -> tuple[int, list[_Entry]] | None:
        if j >= len(ts):
            return None
        lengths = self._lengths.get(ts[j])
        if lengths is None:
            return None
        for length in lengths:
            if j + length > len(ts) or any(w.brk for w in ws[j + 1 : j + length]):
                continue  # a name never spans punctuation ("Hòa Xuân, Đông Hòa")
            key = tuple(ts[j : j + length])
            entries = self._index.get(key)
            if not entries:
                continue
            if bare or kind != "phường":
                # Numbered units are wards ("phường 9"); "xa 1 năm" is "far for a year".
                entries = [e for e in entries if not e.numeric]
                if not entries:
                    continue
            matching = [e for e in entries if self._accents_match(ws[j : j + length], e)]
            if matching:
                return length, matching
            if not bare:
                return length, entries
        return None

    @staticmethod
    def _prefix_word_ok(w: Word, accented_form: str, kind: str) -> bool:
        """ "xả"/"phương"/"quán" are not "xã"/"phường"/"quận"; unaccented "quan" is not "quận"."""
        if w.raw and vntext.has_diacritics(w.raw):
            return vntext.accent_key(w.raw) == vntext.accent_key(accented_form)
        return not (kind in _ACCENT_REQUIRED and w.raw)

    @staticmethod
    def _accents_match(ws: list[Word], entry: _Entry) -> bool:
        return all(
            w.raw.isascii() or acc.isascii() or vntext.accent_key(w.raw) == acc
            for w, acc in zip(ws, entry.accents, strict=False)
        )

    def _scan(self, ws: list[Word], ts: list[str]) -> list[_Mention]:
        out: list[_Mention] = []
        n = len(ws)
        starts = self._starts
        i = 0
        while i < n:
            if ts[i] not in starts:
                i += 1
                continue
            prefix = self._prefix_at(ws, ts, i)
            if prefix:
                kind, plen = prefix
                found = self._name_at(ws, ts, i + plen, bare=False, kind=kind)
                if found is None:
                    i += plen
                    continue
                length, entries = found
                m = self._mention(ws, ts, i, i + plen, i + plen + length, kind, entries)
                out.append(m)
                i = m.end
                continue
            found = self._name_at(ws, ts, i, bare=True)
            if found is None:
                i += 1
                continue
            length, entries = found
            if self._not_a_place(ws, i, tuple(w.text for w in ws[i : i + length])):
                i += 1
                continue
            m = self._mention(ws, ts, i, i, i + length, None, entries)
            out.append(m)
            i = m.end
        return out

    @staticmethod
    def _not_a_place(ws: list[Word], i: int, key: tuple[str, ...]) -> bool:
        prev1 = ws[i - 1].text if i >= 1 else ""
        prev2 = ws[i - 2].text if i >= 2 else ""
        if prev2 == "nga":  # "ngã ba Hòa Vinh" is a junction named after the place
            return False
        if prev1 in _NOT_A_PLACE_BEFORE or (prev2, prev1) in _NOT_A_PLACE_BIGRAMS:
            return True
        return prev1 in _SURNAMES and _is_common(key)

    def _mention(
        self, ws: list[Word], ts: list[str], start: int, name_start: int, end: int,
        prefix: str | None, entries: list[_Entry],
    ) -> _Mention:  # fmt: skip
        key = tuple(w.text for w in ws[name_start:end])
        old = False
        if end < len(ws) and ws[end].text == "cu" and not self._name_starts_with_cu(ws, ts, end):
            raw = ws[end].raw
            if not raw or not vntext.has_diacritics(raw) or vntext.accent_key(raw) == _OLD_MARKER:
                old = True
                end += 1
        prev = {w.text for w in ws[max(0, start - 2) : start]}
        title = all(w.title for w in ws[name_start : name_start + len(key)])
        cue = bool(prev & _CUES) or old or (title and (start > 0 or len(key) > 1))
        m = _Mention(start, name_start, end, prefix, entries, _is_common(key), old, cue)
        m.ignored = self._why_ignored(ws, ts, m)
        return m

    def _name_starts_with_cu(self, ws: list[Word], ts: list[str], j: int) -> bool:
        """ "Ea Drong, Cu Mgar": after punctuation, "cu" that begins a name is not "cũ"."""
        if not ws[j].brk:
            return False
        found = self._name_at(ws, ts, j, bare=True)
        return found is not None and found[0] > 1

    def _why_ignored(self, ws: list[Word], ts: list[str], m: _Mention) -> str:
        s = m.start
        prev1 = ws[s - 1].text if s >= 1 else ""
        prev2 = ws[s - 2].text if s >= 2 else ""
        before = {w.text for w in ws[max(0, s - 6) : s]}
        if prev1 == "huong" or (prev2 in _DIRECTION_BEFORE and prev1 in {"tu", "ve"}):
            return "hướng di chuyển"
        # "chạy về phía phường X" is a direction; "cầu Đà Rằng phía phường X" is a side.
        if prev1 == "phia" and (
            prev2 in _MOTION_PREPOSITIONS | {"huong"} or before & _MOTION_VERBS
        ):
            return "hướng di chuyển"
        if prev1 == "tan" and prev2 in _MOTION_PREPOSITIONS:  # "phải xuống tận BMT"
            return "hướng di chuyển"
        road_to = prev2 == "duong" and prev1 in _MOTION_PREPOSITIONS  # "đường lên Krông Bông"
        if not road_to and (
            prev1 in _GOING_TO or (prev1 in _MOTION_PREPOSITIONS and before & _MOTION_VERBS)
        ):
            return "hướng di chuyển"
        if "xung" in before:
            return _CLAIMED
        if self._after_hometown(ws, s):
            return _HOMETOWN
        if "tuyen" in {prev1, prev2}:
            return "tuyến xe"
        if m.prefix == "quận":
            return "không thuộc tỉnh"
        j = m.end
        if j < len(ws) and ws[j].text == "tinh":
            j += 1
        nxt = self._name_at(ws, ts, j, bare=True)
        if nxt and all(e.kind == "foreign" for e in nxt[1]):
            return "thuộc tỉnh khác"
        return ""

    @staticmethod
    def _after_hometown(ws: list[Word], s: int) -> bool:
        """'quê xã X', 'quê ở X', 'em quê ở X': a hometown (rule 8), not the event place."""
        for k in range(s - 1, max(-1, s - 4), -1):
            w = ws[k]
            if w.text == "que":  # not "quế" (cinnamon), not "về quê ở X" (going there)
                return w.raw in ("quê", "que", "") and (k == 0 or ws[k - 1].text != "ve")
            if w.text not in _PRONOUNS and w.text != "o":
                return False
        return False

    # --- deciding --------------------------------------------------------------------------

    def _decide(self, ws: list[Word], mentions: list[_Mention]) -> Resolution:
        res = Resolution()
        live = [m for m in mentions if not m.ignored]
        if not live:  # a claimed office is the only place named: better than nothing
            live = [m for m in mentions if m.ignored == _CLAIMED]
        if not live and all(m.ignored == _HOMETOWN for m in mentions):
            live = mentions  # only a hometown is named: it is the citizen's locality
        for m in mentions:
            if m not in live:
                res.reasons.append(f"bỏ qua '{self._text(ws, m)}' ({m.ignored})")
        # District context: districts named anywhere in the message (rule 4).
        district_of: dict[int, set[str]] = {}
        for k, m in enumerate(live):
            district_of[k] = {e.ref.code for e in m.entries if isinstance(e.ref, FormerDistrict)}
        unit_level: list[tuple[_Mention, list[str], str]] = []
        district_level: list[tuple[_Mention, list[str], str]] = []
        for k, m in enumerate(live):
            context = set().union(*(d for kk, d in district_of.items() if kk != k))
            if m.prefix is None and m.common and not m.cue:
                # An ordinary-looking bare name without a cue counts only next to a district
                # ("hoa dong krong pac") or as the district of its neighbour.
                near = [
                    kk
                    for kk, o in enumerate(live)
                    if kk != k and (abs(o.start - m.end) <= 2 or abs(m.start - o.end) <= 2)
                ]
                if not (near and (district_of[k] or any(district_of[kk] for kk in near))):
                    continue
            level, found, why = self._resolve_mention(m, context)
            if level == "unit":
                unit_level.append((m, found, why))
            elif level == "district":
                district_level.append((m, found, why))
            elif why:
                res.reasons.append(f"bỏ qua '{self._text(ws, m)}' ({why})")
        chosen = unit_level or district_level
        codes: set[str] = set()
        for m, cs, why in chosen:
            codes.update(cs)
            # A current name is explained by what the citizen wrote: "'chợ Tân An' → ..."
            res.reasons.append(f"'{self._text(ws, m)}' {why}" if why.startswith("→") else why)
        if unit_level:
            for m, _, _ in district_level:
                res.reasons.append(f"'{self._text(ws, m)}' chỉ dùng để xác định địa bàn")
        res.codes = sorted(codes)
        return res

    @staticmethod
    def _text(ws: list[Word], m: _Mention) -> str:
        return " ".join(w.raw or w.text for w in ws[m.start : m.end])

    def _resolve_mention(self, m: _Mention, context: set[str]) -> tuple[str, list[str], str]:
        units = [e.ref for e in m.entries if isinstance(e.ref, Unit)]
        former = [e.ref for e in m.entries if isinstance(e.ref, FormerUnit)]
        districts = [e.ref for e in m.entries if isinstance(e.ref, FormerDistrict)]
        place_names = [e.ref for e in m.entries if isinstance(e.ref, str)]
        p = m.prefix
        if p == "tỉnh" or (p is None and place_names):
            return "none", [], "tên tỉnh, không chỉ ra xã/phường"
        if p in _DISTRICT_PREFIXES:
            if districts:
                return "district", *self._district_codes(districts, p)
            return "none", [], "không thuộc tỉnh"
        # Unit prefix or bare name.
        if p is None and districts:
            return "district", *self._district_codes(districts, None)
        if context:
            ctx_codes = {c for d in context for c in self._districts[d].new_codes}
            old_in = [f for f in former if f.district_code in context]
            new_in = [u for u in units if u.code in ctx_codes]
            new_typed = [u for u in new_in if p is None or u.type == p]
            if m.old and old_in:
                return "unit", *self._former_codes(old_in)
            if new_typed or (new_in and not old_in):
                return "unit", *self._unit_codes(new_typed or new_in)
            if old_in:
                return "unit", *self._former_codes(old_in)
        if m.old and former:
            typed = [f for f in former if p is None or f.type == p]
            return "unit", *self._former_codes(typed or former)
        typed_units = [u for u in units if p is None or u.type == p]
        if typed_units:
            return "unit", *self._unit_codes(typed_units)
        typed_former = [f for f in former if p is None or f.type == p]
        if typed_former:
            return "unit", *self._former_codes(typed_former)
        if units:
            return "unit", *self._unit_codes(units)
        if former:
            return "unit", *self._former_codes(former)
        if districts:
            return "district", *self._district_codes(districts, p)
        return "none", [], ""

    def _unit_codes(self, units: Iterable[Unit]) -> tuple[list[str], str]:
        us = sorted(set(units), key=lambda u: u.code)
        return [u.code for u in us], "→ " + " / ".join(f"{u.name} ({u.code})" for u in us)

    def _former_codes(self, former: Iterable[FormerUnit]) -> tuple[list[str], str]:
        fs = sorted(set(former), key=lambda f: f.code)
        codes = sorted({c for f in fs for c in f.new_codes})
        return codes, "; ".join(self._former_reason(f) for f in fs)

    def _former_reason(self, f: FormerUnit) -> str:
        reason = self._reason_cache.get(f.code)
        if reason is None:
            targets = ", ".join(self._units[c].name for c in f.new_codes)
            note = "tên cũ, đã chia tách" if f.split else "tên cũ"
            district = _strip_prefix(f.district_name)
            reason = f"{f.type} {_strip_prefix(f.name)} ({note}, {district}) → {targets}"
            self._reason_cache[f.code] = reason
        return reason

    def _district_codes(
        self, districts: Iterable[FormerDistrict], prefix: str | None
    ) -> tuple[list[str], str]:
        ds = sorted(set(districts), key=lambda d: d.code)
        codes = sorted({c for d in ds for c in d.new_codes})
        how = "tên huyện cũ không kèm xã/phường" if prefix is None else "đơn vị cấp huyện cũ"
        names = ", ".join(d.name for d in ds)
        return codes, f"{names} ({how}) → tất cả {len(codes)} xã/phường: {', '.join(codes)}"
