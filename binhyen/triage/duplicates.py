"""Is a new tip the same event as an open case reported a little earlier?

Two citizens rarely use the same words for the same fight, so the text alone is not enough:
the score mixes

* text similarity — cosine of the two messages' sets of folded words and word pairs
  (accents, teencode and abbreviations normalised by ``vntext``; filler words dropped);
* place — the same commune/ward codes (neutral when either message names no place);
* category — the same crime category;
* time — how close the two reports are within the window.

Only open tips of the last hours (``BINHYEN_TRIAGE_DUPLICATE_HOURS``, 6) in the same unit
or in units whose centroid lies within ``BINHYEN_TRIAGE_DUPLICATE_KM`` (5 km) of the
case's place or unit are compared, and only with cases opened before it (one direction
per pair).
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
from binhyen.triage.models import Suggestion as SuggestionModel

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
    fa, fb = features(a), features(b)
    if not fa or not fb:
        return 0.0
    return len(fa & fb) / math.sqrt(len(fa) * len(fb))


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
) -> tuple[float, list[str], dict[str, float]]:
    """The duplicate score in [0, 1] and the reasons an officer reads."""
    parts: dict[str, float] = {}
    reasons: list[str] = []
    parts["text"] = text_similarity(text_a, text_b)
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


def find(case: Case, suggestion: Suggestion) -> list[Match]:
    """Likely earlier reports of the same event, best first."""

    category = case.category if case.intent == Intent.TIP else ""
    category = category or suggestion.category
    places = list(suggestion.place_codes)
    unit_ids = {case.unit_id}
    unit_ids |= {u.pk for u in routing.units_for_codes(places).values()}
    points = routing.area_points(places)
    points += list(routing.unit_centroids([case.unit]).values())
    unit_ids |= routing.units_within(points, NEARBY_KM)
    since = case.opened_at - timedelta(hours=WINDOW_HOURS)
    others = list(
        CaseModel.objects.filter(
            unit_id__in=unit_ids,
            status__in=CaseModel.OPEN_STATUSES,
            merged_into__isnull=True,
            opened_at__gte=since,
        )
        .filter(Q(opened_at__lt=case.opened_at) | Q(opened_at=case.opened_at, pk__lt=case.pk))
        .exclude(pk=case.pk)
        .exclude(intent__in=[Intent.QUESTION, Intent.FEEDBACK, Intent.OTHER])
        .select_related("unit")
        .order_by("-opened_at")[:200]
    )
    latest: dict[int, Suggestion] = {}
    for row in SuggestionModel.objects.filter(case__in=others).order_by("case_id", "-created_at"):
        latest.setdefault(row.case_id, row)
    matches: list[Match] = []
    for other in others:
        s = latest.get(other.pk)
        other_intent = other.intent if other.intent != Intent.UNKNOWN else (s.intent if s else "")
        if other_intent != Intent.TIP:
            continue
        other_category = other.category or (s.category if s else "")
        minutes = (case.opened_at - other.opened_at).total_seconds() / 60
        score, reasons, _parts = score_pair(
            text_a=suggestion.text,
            text_b=s.text if s else other.summary,
            places_a=places,
            places_b=list(s.place_codes) if s else [],
            category_a=category,
            category_b=other_category,
            minutes_apart=minutes,
        )
        if score >= THRESHOLD:
            matches.append(Match(other=other, score=score, reasons=reasons))
    matches.sort(key=lambda m: -m.score)
    return matches[:MAX_CANDIDATES]
