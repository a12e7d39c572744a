"""Finding a case the way officers type: without diacritics, across the whole thread, by a
whole or partial code, or by the code a citizen was given by the web form (docs/search.md).

Every case carries `search_text`: the random part of its code, then each citizen message and
officer reply folded by `lib.vntext.fold` (lower case, no diacritics, teencode expanded),
appended when the message is written. The query is folded the same way and matched as a
phrase: on PostgreSQL `LIKE '%…%'` is served by a trigram GIN index, on SQLite by an FTS5
table with the trigram tokenizer over the same column (both in migration 0005).

Results are ranked in tiers, most certain first: the exact code (under any prefix, or the
web tip's code), then a partial code, then the text matches in the list's own order (newest
first unless the officer sorted otherwise).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from binhyen.cases.models import Case
from binhyen.lib import codes, crypto, vntext

# The folded thread stops growing here: a search column, not an archive (~30 long messages).
MAX_SEARCH_CHARS = 20_000
MAX_QUERY_CHARS = 100
# Something typed that may be (part of) a code: letters, digits, dashes and spaces, with a
# digit somewhere (95 % of random 8-character bodies have one) or a known prefix.
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\- ]{2,16}$")
_PREFIXED = re.compile(r"^(TB|HD|PA)[\- ]?[A-Z0-9]", re.IGNORECASE)
# The shape of a code's random part as printed or read out: "SMXD-JJBT", "smxd jjbt".
_BODY_SHAPE = re.compile(r"^[A-Za-z0-9]{4}[\- ]?[A-Za-z0-9]{4}$")


# --- the stored side -------------------------------------------------------------------------


def fold_text(text: str) -> str:
    return vntext.fold(text or "")


def seed(code: str, text: str = "") -> str:
    """The search text of a new case: its code's random part and its first message."""
    folded = fold_text(text)
    return f" {codes.code_body(code).lower()} {folded} "[:MAX_SEARCH_CHARS]


def appended(current: str, text: str) -> str:
    """`current` with one more message folded onto its end (capped)."""
    folded = fold_text(text)
    if not folded or len(current) >= MAX_SEARCH_CHARS:
        return current
    return (current or " ") + folded + " "


def tip_code_hash(code: str) -> str:
    """The web form's keyed hash of a tip code (the tips app stores only this)."""
    return crypto.lookup_hash("tip-code", codes.code_body(code))


# --- the query side -------------------------------------------------------------------------


def folded_query(q: str) -> str:
    return fold_text(q[:MAX_QUERY_CHARS])


def looks_like_code(q: str) -> bool:
    q = q.strip()
    if not _CODE_LIKE.match(q):
        return False
    return any(ch.isdigit() for ch in q) or bool(_PREFIXED.match(q) or _BODY_SHAPE.match(q))


def _compact(q: str) -> str:
    return "".join(ch for ch in q.upper() if ch.isalnum()).translate(str.maketrans("OIL", "011"))


def exact_code_qs(q: str) -> list[Q]:
    """The case whose code is `q` under any prefix; the case whose web tip code is `q`.
    Two conditions run as two queries: OR-ed, the join to the tips table would stop
    PostgreSQL from using the code's unique index (a full scan: 1.4 s at a million)."""
    if not looks_like_code(q):
        return []
    body = codes.code_body(q)
    if len(body) != codes.BODY_CHARS:
        return []
    return [
        Q(code__in=codes.code_variants(body)),
        Q(tip__code_hash=tip_code_hash(q)),
    ]


def partial_code_q(q: str) -> Q | None:
    """Cases whose code's random part contains what was typed (4 characters or more)."""
    if not looks_like_code(q):
        return None
    compact = _compact(q)
    candidates = {compact}
    if len(compact) > 4 and compact[:2] in {*codes.PREFIXES.values()}:
        candidates.add(compact[2:])
    candidates = {c for c in candidates if 4 <= len(c) <= codes.BODY_CHARS}
    if not candidates:
        return None
    out = Q(pk__in=[])
    for c in candidates:
        out |= contains_q(c.lower())
        for form in _folded_code_forms(c):
            out |= contains_q(form)
    return out


def _folded_code_forms(fragment: str) -> set[str]:
    """How part of a code typed in a message reads in the folded thread text.

    A message's words are folded like any text: letters and digits split apart and letter
    runs read as teencode, by context too ("1XM1HWCQ" reads "1 xe may 1 hwcq", "736Q2413"
    "736 quan 2413"). A run at either edge of the fragment may be cut short ("6XR14X" of
    "6XR14XCG": the text holds "xcg", not the reading of "x" alone), so each edge run is
    also taken as typed, the rest folded as a whole."""
    low = fragment.lower()
    runs = re.findall(r"[a-z]+|[0-9]+", low)
    forms = {fold_text(low)}
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        forms.add(f"{fold_text(low[: -len(last)])} {last}")
        forms.add(f"{first} {fold_text(low[len(first) :])}")
        if len(runs) > 2:
            forms.add(f"{first} {fold_text(low[len(first) : -len(last)])} {last}")
    forms.discard(low)
    forms.discard("")
    return forms


def contains_q(fragment: str) -> Q:
    """Cases whose folded thread contains `fragment` (already folded): a trigram index on
    either database (PostgreSQL: GIN pg_trgm on the column; SQLite: the FTS5 trigram table
    `cases_case_fts`, kept by triggers, migration 0005)."""
    if connection.vendor == "sqlite":
        # Folded text is letters, digits and spaces; anything else cannot match anyway.
        safe = "".join(ch for ch in fragment if ch.isalnum() or ch == " ")
        return Q(
            pk__in=RawSQL(
                "SELECT rowid FROM cases_case_fts WHERE search_text LIKE %s", [f"%{safe}%"]
            )
        )
    return Q(search_text__contains=fragment)


def text_q(q: str) -> Q | None:
    folded = folded_query(q)
    if len(folded) < 2:
        return None
    return contains_q(folded)


def search(qs: QuerySet[Case], q: str) -> tuple[list[int], QuerySet[Case]]:
    """(ids of code hits, most certain first; the text matches as a queryset to page).

    The code hits are few and found by index; the caller shows them first and leaves them
    out of the text matches."""
    q = q.strip()[:MAX_QUERY_CHARS]
    hits: list[int] = []
    for exact in exact_code_qs(q):
        hits += [pk for pk in qs.filter(exact).values_list("pk", flat=True)[:5] if pk not in hits]
    partial = partial_code_q(q)
    if partial is not None:
        hits += [
            pk for pk in qs.filter(partial).values_list("pk", flat=True)[:20] if pk not in hits
        ]
    whole_code = bool(exact_code_qs(q)) and not any(ch == " " for ch in q.strip())
    text = None if whole_code else text_q(q)
    if text is None:
        # A whole code ("TB-TDP0-K7J8", "TDP0K7J8"): its mentions in threads are found by
        # the partial tier above (threads hold the compact form); the phrase "tb tdp0 k7j8"
        # would only cost a trigram scan.
        return hits, qs.none()
    return hits, qs.filter(text).exclude(pk__in=hits) if hits else qs.filter(text)
