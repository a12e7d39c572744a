"""A live event: what is published, what travels between processes, what a browser gets.

The envelope is one small JSON object. Its id is "<unix ms>-<random>": ids from many
publishers on many machines order by time, which is all that catching up needs (a
reconnecting browser also drops ids it has already seen).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

# PostgreSQL's NOTIFY payload limit is 8000 bytes; stay well below it everywhere.
MAX_ENVELOPE_BYTES = 7000
MAX_STRING_CHARS = 400
# Keys that would carry a tipster's identity. The payload is shown on every console page
# of everyone who can see the unit; identity data lives in the vault only.
FORBIDDEN_KEYS = frozenset(
    {
        "contact",
        "contact_id",
        "name",
        "full_name",
        "display_name",
        "phone",
        "email",
        "address",
        "zalo_user_id",
        "user_id",
        "user_id_by_app",
        "sender",
        "sender_id",
        "identity",
        "avatar",
        "ip",
        "latitude",
        "longitude",
    }
)


def _clean(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        raise ValueError("live payload is nested too deeply")
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING_CHARS else value[: MAX_STRING_CHARS - 1] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str):
                raise ValueError("live payload keys must be strings")
            if key.lower() in FORBIDDEN_KEYS:
                raise ValueError(f"live payload must not carry identity data ({key!r})")
            out[key] = _clean(v, depth + 1)
        return out
    raise ValueError(f"live payload value of type {type(value).__name__} is not JSON")


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    ts: int  # unix milliseconds, stamped when the publisher's transaction committed
    unit: str  # the unit's materialised path, "/66/24133/"
    kind: str
    payload: dict[str, Any]
    roles: frozenset[str] | None = None
    # What a browser receives for this event, encoded once for every stream.
    frame: bytes = field(default=b"", compare=False, repr=False)

    def to_wire(self) -> bytes:
        return json.dumps(
            {
                "id": self.id,
                "ts": self.ts,
                "unit": self.unit,
                "kind": self.kind,
                "roles": sorted(self.roles) if self.roles is not None else None,
                "payload": self.payload,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_wire(cls, raw: bytes | str) -> Event:
        data = json.loads(raw)
        roles = data.get("roles")
        ev = cls(
            id=str(data["id"]),
            ts=int(data["ts"]),
            unit=str(data["unit"]),
            kind=str(data["kind"]),
            payload=dict(data["payload"]),
            roles=frozenset(roles) if roles is not None else None,
        )
        return ev.with_frame()

    def with_frame(self) -> Event:
        data = json.dumps(
            {
                "id": self.id,
                "ts": self.ts,
                "kind": self.kind,
                "unit": self.unit,
                "payload": self.payload,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        frame = f"id: {self.id}\ndata: {data}\n\n".encode()
        return Event(self.id, self.ts, self.unit, self.kind, self.payload, self.roles, frame)


def new_id(ts_ms: int) -> str:
    return f"{ts_ms:013d}-{secrets.token_hex(4)}"


def id_time(event_id: str) -> int | None:
    """The millisecond timestamp inside an event id, None for anything else."""
    head = event_id.split("-", 1)[0]
    return int(head) if head.isdigit() and len(head) <= 15 else None


def build(
    *, unit_path: str, kind: str, payload: dict[str, Any], roles: set[str] | frozenset[str] | None
) -> tuple[str, str, dict[str, Any], frozenset[str] | None]:
    """Validate what a caller publishes; raises ValueError on a programming error."""
    if not (unit_path.startswith("/") and unit_path.endswith("/")):
        raise ValueError(f"unit_path must be a unit's path like '/66/24133/', not {unit_path!r}")
    if not kind or len(kind) > 64:
        raise ValueError("kind must be a short non-empty string")
    if not isinstance(payload, dict):
        raise ValueError("payload must be a dict")
    clean = _clean(payload)
    frozen = frozenset(roles) if roles is not None else None
    probe = Event(new_id(0), 0, unit_path, kind, clean, frozen).to_wire()
    if len(probe) > MAX_ENVELOPE_BYTES:
        raise ValueError(f"live event is {len(probe)} bytes; the limit is {MAX_ENVELOPE_BYTES}")
    return unit_path, kind, clean, frozen


def stamp(
    unit_path: str, kind: str, payload: dict[str, Any], roles: frozenset[str] | None
) -> Event:
    ts = int(time.time() * 1000)
    return Event(new_id(ts), ts, unit_path, kind, payload, roles)


def signing_key() -> bytes:
    # Derived, so that nothing needs configuring, and distinct from every other use.
    return hashlib.sha256(b"binhyen-live-transport:" + settings.SECRET_KEY.encode()).digest()


def sign(body: bytes, key: bytes | None = None) -> bytes:
    return hmac.new(key or signing_key(), body, hashlib.sha256).digest() + body


def verify(datagram: bytes, key: bytes | None = None) -> bytes | None:
    mac, body = datagram[:32], datagram[32:]
    good = hmac.new(key or signing_key(), body, hashlib.sha256).digest()
    return body if hmac.compare_digest(mac, good) else None
