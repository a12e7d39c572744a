"""The hash chain: canonical form of an entry and its MAC (model-free, no I/O).

An entry's hash covers its canonical content *including* the previous entry's hash, so
changing, removing or inserting any entry breaks every link after it. The canonical form
is a contract: changing it breaks verification of existing logs, so bump the format and
keep the old form for old entries if it ever has to change.

Format 2 (keyed): HMAC-SHA256 under a key kept outside the database (`BINHYEN_AUDIT_KEYS`),
over the canonical content including the key's id. Without the key nobody can recompute
the chain. Format 1 (entries written before keys existed, `key_id` NULL): plain SHA-256;
such entries are accepted only before the first keyed entry (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

FORMAT = 1  # unkeyed SHA-256 (entries written before the chain was keyed)
KEYED_FORMAT = 2
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
# Format 2 also covers which key signed the entry.
KEYED_FIELDS = (*HASHED_FIELDS, "key_id")

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


def canonical_bytes(fields: Mapping[str, Any], *, version: int = FORMAT) -> bytes:
    doc: dict[str, Any] = {"v": version}
    for name in HASHED_FIELDS if version == FORMAT else KEYED_FIELDS:
        value = fields[name]
        doc[name] = format_at(value) if name == "at" else value
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: Mapping[str, Any]) -> str:
    """Format 1: the unkeyed hash of entries written before the chain was keyed."""
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


def entry_mac(fields: Mapping[str, Any], key: bytes) -> str:
    """Format 2: HMAC-SHA256 under the audit key named by `fields["key_id"]`."""
    return hmac.new(key, canonical_bytes(fields, version=KEYED_FORMAT), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public name for a key (which key signed an entry), not the key itself."""
    return hashlib.sha256(b"binhyen-audit-key-id\x00" + key).hexdigest()[:12]


def line_mac(key: bytes, line: str) -> str:
    """MAC of one line of the anchor file."""
    return hmac.new(key, b"anchor\x00" + line.encode(), hashlib.sha256).hexdigest()
