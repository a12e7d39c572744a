"""Is a new tip the same event as an open case reported a little earlier?

Two citizens rarely use the same words for the same fight, so the text alone is not enough:
the score mixes

* text similarity — cosine of the two messages' sets of folded words and word pairs
  (accents, teencode and abbreviations normalised by ``vntext``; filler words dropped);
* place — the same commune/ward codes (neutral when either message names no place);
* category — the same crime category;
* time — how close the two reports are within the window.

Each tip keeps a compact signature (``DuplicateSignature``: unit, opening time, category,
places, folded words and pairs) written when it is read; candidates are found through the
signatures' (unit, opened_at) index. Only open tips of the last hours
(``BINHYEN_TRIAGE_DUPLICATE_HOURS``, 6) in the same unit or in units whose centroid lies
within ``BINHYEN_TRIAGE_DUPLICATE_KM`` (5 km) of the case's place or unit are compared,
and only with cases opened before it (one direction per pair).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from django.db.models import Q

from binhyen.cases.models import Case as CaseModel
from binhyen.cases.models import Intent
from binhyen.lib import vntext
from binhyen.lib.env import env_int
from binhyen.triage import routing
from binhyen.triage.models import DuplicateSignature as SignatureModel

if TYPE_CHECKING:
    from binhyen.cases.models import Case
    from binhyen.triage.models import Suggestion

WINDOW_HOURS = env_int("BINHYEN_TRIAGE_DUPLICATE_HOURS", 6)
NEARBY_KM = env_int("BINHYEN_TRIAGE_DUPLICATE_KM", 5)
THRESHOLD = 0.5
MAX_CANDIDATES = 5
WEIGHTS = {"text": 0.55, "place": 0.2, "category": 0.1, "time": 0.15}

# Folded words that say nothing about the event.
_FILLER = {
    "a", "ad", "admin", "ah", "ai", "anh", "ban", "bi", "cac", "chi", "co", "cong", "da",
    "dang", "day", "de", "den", "di", "do", "duoc", "e", "em", "gi", "giup", "gium", "ha",
    "hay", "khi", "khong", "la", "len", "luc", "ma", "minh", "mot", "nay", "nha", "nhe",
    "nhung", "o", "oi", "ong", "ra", "roi", "ta", "tai", "thay", "the", "thi", "toi", "tu",
    "ve", "vi", "voi", "vua", "xin", "va",
}  # fmt: skip


@dataclass
class Match:
    other: Case
    score: float
    reasons: list[str]


def features(text: str) -> set[str]:
    toks = vntext.tokens(text)
    words = {t for t in toks if t not in _FILLER and len(t) > 1}
    pairs = {f"{a} {b}" for a, b in pairwise(toks) if not (a in _FILLER and b in _FILLER)}
    return words | pairs


def text_similarity(a: str, b: str) -> float:
    return _similarity(features(a), features(b))


def score_pair(
    *,
    text_a: str,
    text_b: str,
    places_a: list[str],
    places_b: list[str],
    category_a: str,
    category_b: str,
    minutes_apart: float,
    window_hours: float = WINDOW_HOURS,
    similarity: float | None = None,
) -> tuple[float, list[str], dict[str, float]]:
    """The duplicate score in [0, 1] and the reasons an officer reads (`similarity`: the
    text similarity when already known from the signatures)."""
    parts: dict[str, float] = {}
    reasons: list[str] = []
    parts["text"] = text_similarity(text_a, text_b) if similarity is None else similarity
    reasons.append(f"nội dung giống {parts['text']:.0%}")
    if places_a and places_b:
        parts["place"] = 1.0 if set(places_a) & set(places_b) else 0.0
        reasons.append("cùng địa bàn" if parts["place"] else "khác địa bàn")
    else:
        parts["place"] = 0.5
    if category_a and category_b:
        parts["category"] = 1.0 if category_a == category_b else 0.0
        if parts["category"]:
            reasons.append(f"cùng lĩnh vực ({category_a})")
    else:
        parts["category"] = 0.5
    window = max(window_hours * 60.0, 1.0)
    parts["time"] = max(0.0, 1.0 - abs(minutes_apart) / window)
    reasons.append(f"cách nhau {_minutes(minutes_apart)}")
    score = sum(WEIGHTS[k] * v for k, v in parts.items())
    return round(score, 3), reasons, parts


def _minutes(m: float) -> str:
    m = abs(m)
    if m < 60:
        return f"{m:.0f} phút"
    return f"{m // 60:.0f} giờ {m % 60:.0f} phút"


def signature_keep(case: Case, suggestion: Suggestion) -> None:
    """Keep (or drop) the case's duplicate signature after a reading: a tip has one, what
    is not a tip (by the officer's classification, else by the reading) has none."""
    intent = case.intent if case.intent != Intent.UNKNOWN else suggestion.intent
    if intent != Intent.TIP:
        if not getattr(case, "signature_unwritten", False):
            SignatureModel.objects.filter(case_id=case.pk).delete()
        return
    text = suggestion.text or case.summary
    row = SignatureModel(
        case_id=case.pk,
        unit_id=case.unit_id,
        opened_at=case.opened_at,
        category=case.category or suggestion.category,
        place_codes=list(suggestion.place_codes),
        features="|".join(sorted(features(text))),
    )
    # One upsert statement (no lookup, no savepoint).
    SignatureModel.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["unit_id", "opened_at", "category", "place_codes", "features"],
    )


def signature_follow_unit(case: Case) -> None:
    """The case moved to another unit: its signature is found under the new one."""
    if getattr(case, "signature_unwritten", False):
        return  # moved during its first reading: the signature is written after, in place
    SignatureModel.objects.filter(case_id=case.pk).update(unit_id=case.unit_id)


def _similarity(fa: set[str], fb: set[str]) -> float:
    if not fa or not fb:
        return 0.0
    return len(fa & fb) / math.sqrt(len(fa) * len(fb))


def find(case: Case, suggestion: Suggestion) -> list[Match]:
    """Likely earlier reports of the same event, best first.

    Candidates come from the signatures of tips in the nearby units, opened within the
    window before this one (the (unit, opened_at) index), still open and not merged; each
    is scored from its signature alone."""

    category = case.category if case.intent == Intent.TIP else ""
    category = category or suggestion.category
    places = list(suggestion.place_codes)
    unit_ids = {case.unit_id}
    unit_ids |= {u.pk for u in routing.units_for_codes(places).values()}
    points = routing.area_points(places)
    points += list(routing.unit_centroids([case.unit]).values())
    unit_ids |= routing.units_within(points, NEARBY_KM)
    since = case.opened_at - timedelta(hours=WINDOW_HOURS)
    rows = list(
        SignatureModel.objects.filter(unit_id__in=unit_ids, opened_at__gte=since)
        .filter(Q(opened_at__lt=case.opened_at) | Q(opened_at=case.opened_at, case_id__lt=case.pk))
        .exclude(case_id=case.pk)
        .filter(case__status__in=CaseModel.OPEN_STATUSES, case__merged_into__isnull=True)
        .exclude(case__intent__in=[Intent.QUESTION, Intent.FEEDBACK, Intent.OTHER])
        .order_by("-opened_at")
        .values_list("case_id", "opened_at", "category", "place_codes", "features")[:200]
    )
    mine = features(suggestion.text)
    matches: list[tuple[int, float, list[str]]] = []
    for other_id, opened_at, other_category, other_places, other_features in rows:
        minutes = (case.opened_at - opened_at).total_seconds() / 60
        score, reasons, _parts = score_pair(
            text_a="",
            text_b="",
            places_a=places,
            places_b=list(other_places),
            category_a=category,
            category_b=other_category,
            minutes_apart=minutes,
            similarity=_similarity(mine, set(other_features.split("|")) - {""}),
        )
        if score >= THRESHOLD:
            matches.append((other_id, score, reasons))
    matches.sort(key=lambda m: -m[1])
    best = matches[:MAX_CANDIDATES]
    others = CaseModel.objects.select_related("unit").in_bulk([m[0] for m in best])
    return [Match(other=others[i], score=sc, reasons=r) for i, sc, r in best if i in others]
