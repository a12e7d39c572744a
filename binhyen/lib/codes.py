"""Short codes people read aloud or type: case codes, pseudonyms."""

from __future__ import annotations

import secrets

# Crockford's base32 without I, L, O, U: nothing to confuse when read over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def case_code() -> str:
    """TB-XXXX-XXXX: 40 random bits, unguessable enough to never be an access secret alone."""
    raw = random_code(8)
    return f"TB-{raw[:4]}-{raw[4:]}"


def pseudonym_from_hash(digest: str, label: str = "Người báo tin") -> str:
    return f"{label} #{digest[:4].upper()}"
