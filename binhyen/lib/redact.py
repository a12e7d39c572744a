"""Masking identifiers in citizens' words before they are kept for anything but the case.

Triage keeps officers' corrections as labelled examples and trains models on them; a
model's vocabulary keeps every word it saw. Before a citizen's text is stored for
training, identifiers are replaced by fixed placeholders (one token each, the same for
every person, so a model learns nothing about anyone):

* e-mail addresses, Zalo ids (15–20 digits), citizen ID numbers (CCCD 12 digits, CMND 9
  digits), Vietnamese phone numbers (mobile and landline, +84 or 0, any grouping),
  Vietnamese licence plates ("47A-123.45", "51G 12345", "29-B1 234.56");
* every value the vault knows about the person (name, display name, phone, address…),
  whole, and each name's given name (its last word, when 3 letters or more), matched
  without regard to case or accents.

It is a filter for well-formed identifiers and known values, not a guarantee: a name the
vault does not know, or a number written in words, passes through (docs/triage.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

PLACEHOLDERS = {
    "email": "[MASKEMAIL]",
    "zalo": "[MASKZALO]",
    "id": "[MASKID]",
    "phone": "[MASKPHONE]",
    "plate": "[MASKPLATE]",
    "name": "[MASKNAME]",
}

_D = r"[\s.\-]?"  # a separator people put between digit groups
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)),
    ("zalo", re.compile(r"(?<!\d)\d{15,20}(?!\d)")),
    ("id", re.compile(r"(?<!\d)\d{12}(?!\d)")),  # CCCD
    # Mobile (0 + 9 digits) and landline (0 + 10 digits), or +84 / 84 instead of the 0.
    ("phone", re.compile(rf"(?<![\w+])(?:\+?84|0)(?:{_D}\d){{9,10}}(?!\d)")),
    (
        "plate",
        re.compile(
            r"(?<![\w])\d{2}\s?-?\s?[A-Z]{1,2}\d?\s?[-.\s]?\s?\d{3}(?:\.?\d{2})?(?![\w])",
            re.IGNORECASE,
        ),
    ),
    ("id", re.compile(r"(?<!\d)\d{9}(?!\d)")),  # CMND (after phones: 0 + 9 digits)
]


def _fold(text: str) -> str:
    """Lower case without accents (đ → d), one character per character, so that positions
    in the folded text are positions in the original."""
    out = []
    for ch in text:
        base = "d" if ch in "đĐ" else unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        out.append(low if len(low) == 1 else base)
    return "".join(out)


def _known_terms(known: Iterable[str]) -> list[str]:
    terms: set[str] = set()
    for value in known:
        value = " ".join(str(value or "").split())
        if len(value) < 3:
            continue
        terms.add(_fold(value))
        words = value.split()
        if 2 <= len(words) <= 5 and len(words[-1]) >= 3 and not any(c.isdigit() for c in value):
            terms.add(_fold(words[-1]))  # the given name, as people write it alone
    return sorted(terms, key=len, reverse=True)


def mask_identifiers(text: str, known: Iterable[str] = ()) -> str:
    """`text` with identifiers and the `known` values of the person replaced."""
    for kind, pattern in _PATTERNS:
        text = pattern.sub(PLACEHOLDERS[kind], text)
    for term in _known_terms(known):
        folded = _fold(text)
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
        pieces, last = [], 0
        for m in pattern.finditer(folded):
            pieces += [text[last : m.start()], PLACEHOLDERS["name"]]
            last = m.end()
        text = "".join(pieces) + text[last:]
    return text
