"""The knowledge base's search over the database rows (built on `binhyen.lib.knowledge`).

The index is rebuilt when the catalogue or the officers' feedback changes (a cheap aggregate
query names the state), and kept in memory otherwise: 40 entries build in ~50 ms, 10,000 in a
few seconds (bench/knowledge_search.py). Officers' choices feed back as example questions of
the entry they sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max

from binhyen.knowledge.models import Answer, Procedure, Unanswered
from binhyen.lib import memo
from binhyen.lib.knowledge import Entry, Hit, Index, Params, normalize
from binhyen.lib.knowledge.search import (
    TUNING_SETS,
    out_of_scope_entries,
    shipped_examples,
    synonyms_file,
    topics,
)

_lock = threading.Lock()
_cache: dict[bool, tuple[tuple[object, ...], Index]] = {}

# A match is confident enough to send without an officer when it scores this much and leads
# the runner-up by this margin (tuned on the dev and first fresh sets; docs/knowledge.md).
CONFIDENT_MARGIN = 0.05


# Editors' decisions on unanswered questions that teach the search.
_TAUGHT = (Unanswered.Resolution.OUT_OF_SCOPE, Unanswered.Resolution.LINKED)


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
    gaps = Unanswered.objects.filter(resolution__in=_TAUGHT).aggregate(
        n=Count("pk"), at=Max("resolved_at")
    )
    return (agg["n"], agg["at"], fb["n"], gaps["n"], gaps["at"])


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
    negatives: list[str] = []
    for pid, resolution, text in Unanswered.objects.filter(resolution__in=_TAUGHT).values_list(
        "procedure_id", "resolution", "text"
    ):
        if resolution == Unanswered.Resolution.OUT_OF_SCOPE:
            negatives.append(text)
        elif pid is not None:
            learned.setdefault(pid, []).append(text)
    # The fresh question sets (beyond the dev set, which the catalogue loads as examples) are
    # shipped paraphrases of their entries.
    paraphrases = shipped_examples(exclude=TUNING_SETS[:1])
    ages = synonyms_file()["ages"]
    entries = [
        Entry(
            slug=p.slug,
            title=p.title,
            summary=f"{p.summary} {p.where}",
            synonyms=p.lines("synonyms"),
            examples=list(
                dict.fromkeys(
                    p.lines("examples") + paraphrases.get(p.slug, []) + learned.get(p.pk, [])
                )
            ),
            ages=tuple(ages[p.slug]) if p.slug in ages else None,
            topics=topics(p.slug),
        )
        for p in qs.only("pk", "slug", "title", "summary", "where", "synonyms", "examples")
    ]
    entries.extend(out_of_scope_entries(extra=negatives))
    return Index.build(entries, Params())


def index(*, approved_only: bool = False) -> Index:
    if not approved_only and not Procedure.objects.exists():
        # deferred: services imports this module (search feeds the automatic answer)
        from binhyen.knowledge.services import catalogue_load

        catalogue_load()
    # Officers' edits apply from a worker's next batch (one read of the state per batch).
    state = memo.remember(("knowledge.state", approved_only), lambda: _state(approved_only))
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


def db_search(text: str, *, approved_only: bool = False, limit: int = 20) -> list[Procedure]:
    """The database's own full-text search on the folded column (editors' search box, and
    the public page's fallback): PostgreSQL trigram word similarity, SQLite FTS5; elsewhere
    every word must appear."""
    words = normalize(text).split()[:12]
    if not words:
        return []
    vendor = connection.vendor
    status = Procedure.Status.APPROVED if approved_only else None
    ids: list[int]
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                # `::text`: bound by the server (settings: server_side_binding), a bare
                # `%s IS NULL` has no type to infer.
                "SELECT id FROM knowledge_procedure WHERE %s <%% folded "
                "AND (%s::text IS NULL OR status = %s) "
                "ORDER BY word_similarity(%s, folded) DESC, id LIMIT %s",
                [" ".join(words), status, status, " ".join(words), limit],
            )
            ids = [r[0] for r in cursor.fetchall()]
        elif vendor == "sqlite":
            quoted = ['"' + w.replace('"', "") + '"' for w in words]
            ids = []
            # Every word first; when that finds nothing (a typo), any word, best first.
            for match in (" AND ".join(quoted), " OR ".join(quoted)):
                cursor.execute(
                    "SELECT p.id FROM knowledge_procedure_fts f "
                    "JOIN knowledge_procedure p ON p.id = f.rowid "
                    "WHERE knowledge_procedure_fts MATCH %s AND (%s IS NULL OR p.status = %s) "
                    "ORDER BY bm25(knowledge_procedure_fts), p.id LIMIT %s",
                    [match, status, status, limit],
                )
                ids = [r[0] for r in cursor.fetchall()]
                if ids:
                    break
        else:  # pragma: no cover - only the two supported databases run the product
            qs = Procedure.objects.all()
            for w in words:
                qs = qs.filter(folded__contains=w)
            ids = list(qs.values_list("pk", flat=True)[:limit])
    rows = Procedure.objects.in_bulk(ids)
    return [rows[i] for i in ids if i in rows]
