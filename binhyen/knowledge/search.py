"""The knowledge base's search over the database rows (built on `binhyen.lib.knowledge`).

The index is rebuilt when the catalogue or the officers' feedback changes (a cheap aggregate
query names the state), and kept in memory otherwise: 40 entries build in ~50 ms, 10,000 in a
few seconds (bench/knowledge_search.py). Officers' choices feed back as example questions of
the entry they sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from binhyen.knowledge.models import Answer, Procedure
from binhyen.lib.knowledge import Entry, Hit, Index, Params
from binhyen.lib.knowledge.search import out_of_scope_entries, synonyms_file

_lock = threading.Lock()
_cache: dict[bool, tuple[tuple[object, ...], Index]] = {}

# A match is confident enough to send without an officer when it scores this much and leads
# the runner-up by this margin (tuned on the dev and first fresh sets; docs/knowledge.md).
CONFIDENT_MARGIN = 0.05


@dataclass
class Match:
    procedure: Procedure
    score: float
    rank: int


def _state(approved_only: bool) -> tuple[object, ...]:
    qs = Procedure.objects.all()
    if approved_only:
        qs = qs.filter(status=Procedure.Status.APPROVED)
    agg = qs.aggregate(n=Count("pk"), at=Max("updated_at"))
    fb = Answer.objects.filter(kind=Answer.Kind.OFFICER).aggregate(n=Count("pk"))
    return (agg["n"], agg["at"], fb["n"])


def _build(approved_only: bool) -> Index:
    qs = Procedure.objects.all()
    if approved_only:
        qs = qs.filter(status=Procedure.Status.APPROVED)
    learned: dict[int, list[str]] = {}
    for pid, question in Answer.objects.filter(
        kind=Answer.Kind.OFFICER, procedure__isnull=False
    ).values_list("procedure_id", "question"):
        if question:
            learned.setdefault(pid, []).append(question)
    ages = synonyms_file()["ages"]
    entries = [
        Entry(
            slug=p.slug,
            title=p.title,
            summary=f"{p.summary} {p.where}",
            synonyms=p.lines("synonyms"),
            examples=p.lines("examples") + learned.get(p.pk, []),
            ages=tuple(ages[p.slug]) if p.slug in ages else None,
        )
        for p in qs.only("pk", "slug", "title", "summary", "where", "synonyms", "examples")
    ]
    entries.extend(out_of_scope_entries())
    return Index.build(entries, Params())


def index(*, approved_only: bool = False) -> Index:
    state = _state(approved_only)
    with _lock:
        cached = _cache.get(approved_only)
        if cached is not None and cached[0] == state:
            return cached[1]
    built = _build(approved_only)
    with _lock:
        _cache[approved_only] = (state, built)
    return built


def search(text: str, *, approved_only: bool = False, limit: int = 3) -> list[Match]:
    hits: list[Hit] = index(approved_only=approved_only).search(text, limit=limit)
    rows = Procedure.objects.in_bulk([h.slug for h in hits], field_name="slug")
    return [
        Match(procedure=rows[h.slug], score=h.score, rank=i)
        for i, h in enumerate(hits)
        if h.slug in rows
    ]


def predict(text: str) -> list[str]:
    return index().predict(text)


def confident(matches: list[Match], min_score: float) -> Match | None:
    """The match to send automatically, if any: approved, high score, clear lead."""
    if not matches:
        return None
    top = matches[0]
    runner = matches[1].score if len(matches) > 1 else 0.0
    if (
        top.procedure.is_approved
        and top.score >= min_score
        and top.score - runner >= CONFIDENT_MARGIN
    ):
        return top
    return None
