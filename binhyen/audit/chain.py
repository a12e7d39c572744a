"""The hash chain: canonical form of an entry and its SHA-256 (model-free, no I/O).

An entry's hash covers its canonical content *including* the previous entry's hash, so
changing, removing or inserting any entry breaks every link after it. The canonical form
is a contract: changing it breaks verification of existing logs, so bump `FORMAT` and
keep the old form for old entries if it ever has to change.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

FORMAT = 1
# prev_hash of the first entry: sha256(b"BinhYen audit log genesis v1"). Fixed forever.
GENESIS_HASH = "582e1469f5472ce66a518c8dc0b9d0cc67a2a1290fb920f92eb80b923ec340db"

# The fields that are hashed, in the names of the model's attributes.
HASHED_FIELDS = (
    "seq",
    "at",
    "action",
    "actor_id",
    "actor_username",
    "actor_unit_id",
    "actor_unit_path",
    "target_type",
    "target_id",
    "target_unit_id",
    "target_unit_path",
    "summary",
    "details",
    "ip_address",
    "prev_hash",
)

JSON = None | bool | int | str | list["JSON"] | dict[str, "JSON"]


def format_at(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text; both databases then store exactly what was hashed.
    return value.replace("\x00", "")


def normalise_json(value: Any) -> JSON:
    """The details as both databases give them back: floats and other types become text.

    jsonb rewrites numbers (1e20 comes back as an integer), so only exact types survive.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {clean_text(str(k)): normalise_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [normalise_json(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return clean_text(str(value))


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    doc: dict[str, Any] = {"v": FORMAT}
    for name in HASHED_FIELDS:
        value = fields[name]
        doc[name] = format_at(value) if name == "at" else value
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()
