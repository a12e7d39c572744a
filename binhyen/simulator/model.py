"""The simulator's records: pages (OAs), citizens, phone bubbles, webhook deliveries."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

Payload = dict[str, Any]


@dataclass
class SimPage:
    oa_id: str
    app_id: str
    oa_secret_key: str
    app_secret_key: str
    name: str
    access_token: str
    refresh_token: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimPage:
        names = [f.name for f in fields(cls)]
        missing = [name for name in names if not data.get(name)]
        if missing:
            raise ValueError(f"page entry lacks {', '.join(missing)}")
        return cls(**{name: str(data[name]) for name in names})


def load_pages(path: str | Path) -> list[SimPage]:
    """Read a pages file: a JSON list of objects with the SimPage fields."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError("pages file must hold a JSON list")
    return [SimPage.from_dict(item) for item in data]


@dataclass
class Citizen:
    oa_id: str
    user_id: str
    user_id_by_app: str
    display_name: str
    is_follower: bool = False
    last_interaction_ms: int | None = None
    anonymous_conversation: str | None = None  # set for anonymous senders


@dataclass
class ConvItem:
    """One bubble on the phone page."""

    seq: int
    direction: str  # "in" = citizen -> OA, "out" = OA -> citizen, "event" = follow etc.
    kind: str  # text | image | location | sticker | file | follow | unfollow
    msg_id: str
    time_ms: int
    text: str | None = None
    url: str | None = None
    label: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    webhook_status: int | None = None
    seen: bool = False


@dataclass
class Delivery:
    event_name: str
    status: int  # the webhook's HTTP status; 0 when it could not be reached
    response: bytes
    payload: Payload
    headers: dict[str, str] = field(default_factory=dict)
