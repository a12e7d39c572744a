"""Short codes people read aloud or type: case codes, pseudonyms."""

from __future__ import annotations

import secrets

# Crockford's base32 without I, L, O, U: nothing to confuse when read over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


# The prefix says what the case is, in the words officers and citizens use: a tip (tin báo),
# a question (hỏi đáp), feedback (phản ánh). Anything else (a greeting, a case not read
# yet) keeps the tip prefix: most conversations that open with "chào anh" become tips.
PREFIXES = {"tip": "TB", "question": "HD", "feedback": "PA"}
DEFAULT_PREFIX = "TB"
BODY_CHARS = 8


def prefix_for(intent: str) -> str:
    return PREFIXES.get(intent, DEFAULT_PREFIX)


def case_code(prefix: str = DEFAULT_PREFIX, body: str = "") -> str:
    """TB-XXXX-XXXX: 40 random bits, unguessable enough to never be an access secret alone.
    `body` (8 characters of ALPHABET) keeps the random part of a code given earlier."""
    raw = body or random_code(BODY_CHARS)
    return f"{prefix}-{raw[:4]}-{raw[4:]}"


def code_body(code: str) -> str:
    """The 8 random characters of a code, whatever the prefix or the dashes and spaces typed:
    "TB-TDP0-K7J8", "tdp0k7j8" and "HD TDP0 K7J8" all give "TDP0K7J8" (Crockford: O→0,
    I/L→1, so a code read over the phone still matches)."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    prefixes = {*PREFIXES.values(), DEFAULT_PREFIX}
    if len(text) == BODY_CHARS + 2 and text[:2] in prefixes:
        text = text[2:]
    return text.translate(str.maketrans("OIL", "011"))


def code_variants(code: str) -> list[str]:
    """The code under every prefix (a prefix follows the case's kind, so "is this random
    part taken" asks for all of them): an `IN` on the unique index of the code, where
    `LIKE '%-XXXX-XXXX'` would scan every case."""
    body = code_body(code)
    prefixes = sorted({*PREFIXES.values(), DEFAULT_PREFIX})
    return [f"{prefix}-{body[:4]}-{body[4:]}" for prefix in prefixes]


def pseudonym_from_hash(digest: str, label: str = "Người báo tin") -> str:
    return f"{label} #{digest[:4].upper()}"
