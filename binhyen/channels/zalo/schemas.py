"""Zalo OA webhook payloads, parsed strictly before anything touches a service.

Shapes from zalo-oa.md §2.4–2.8. Ids stay strings (they exceed 2^53); a few fields that
Zalo documents as strings sometimes arrive as numbers, so those are coerced.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# user_* and anonymous_*: person = sender, OA = recipient; oa_* and receipts: reversed.
RECEIPT_EVENTS = {"user_received_message", "user_seen_message"}
FOLLOW_EVENTS = {"follow", "unfollow"}


def _as_str(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a string or number, got a boolean")
    if isinstance(value, int | float):
        return str(int(value))
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=20_000)


class Party(_Model):
    id: str = Field(min_length=1, max_length=64)
    admin_id: str | None = Field(default=None, max_length=64)

    _coerce = field_validator("id", "admin_id", mode="before")(_as_str)


class Coordinates(_Model):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class AttachmentPayload(_Model):
    url: str | None = Field(default=None, max_length=2000)
    thumbnail: str | None = Field(default=None, max_length=2000)
    description: str | None = None
    name: str | None = Field(default=None, max_length=500)
    size: int | None = Field(default=None, ge=0)
    type: str | None = Field(default=None, max_length=32)
    checksum: str | None = Field(default=None, max_length=128)
    id: str | None = Field(default=None, max_length=128)
    coordinates: Coordinates | None = None

    _coerce = field_validator("id", mode="before")(_as_str)

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return int(value) if value.isdigit() else None
        return value


class Attachment(_Model):
    type: str = Field(max_length=32)
    payload: AttachmentPayload = Field(default_factory=AttachmentPayload)

    @field_validator("payload", mode="before")
    @classmethod
    def _payload(cls, value: Any) -> Any:
        return {} if value in (None, "", []) else value


class MessageBody(_Model):
    msg_id: str | None = Field(default=None, max_length=128)
    msg_ids: list[str] | None = Field(default=None, max_length=1000)
    text: str | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    quote_msg_id: str | None = Field(default=None, max_length=128)
    conversation_id: str | None = Field(default=None, max_length=128)
    react_icon: str | None = Field(default=None, max_length=64)

    _coerce = field_validator("msg_id", "quote_msg_id", "conversation_id", mode="before")(_as_str)


class Event(_Model):
    app_id: str = Field(min_length=1, max_length=64)
    event_name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    timestamp: str = Field(min_length=1, max_length=20, pattern=r"^\d+$")
    sender: Party | None = None
    recipient: Party | None = None
    follower: Party | None = None
    oa_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=64)
    user_id_by_app: str | None = Field(default=None, max_length=64)
    message: MessageBody | None = None
    info: dict[str, Any] | None = None
    source: str | None = Field(default=None, max_length=64)

    _coerce = field_validator(
        "app_id", "timestamp", "oa_id", "user_id", "user_id_by_app", mode="before"
    )(_as_str)

    # --- who is who (zalo-oa.md §2.7) ---

    @property
    def is_oa_side(self) -> bool:
        return self.event_name.startswith("oa_") or self.event_name in RECEIPT_EVENTS

    @property
    def oa_ref(self) -> str | None:
        """The OA this event concerns."""
        if self.event_name in FOLLOW_EVENTS or self.event_name in {
            "user_withdraw",
            "user_click_chatnow",
        }:
            return self.oa_id
        party = self.sender if self.is_oa_side else self.recipient
        return party.id if party else self.oa_id

    @property
    def person_ref(self) -> str | None:
        """The citizen this event concerns (an anonymous id for anonymous_* events)."""
        if self.event_name in FOLLOW_EVENTS:
            return self.follower.id if self.follower else None
        if self.event_name in {"user_withdraw", "user_click_chatnow"}:
            return self.user_id
        party = self.recipient if self.is_oa_side else self.sender
        return party.id if party else self.user_id

    @property
    def timestamp_ms(self) -> int:
        return int(self.timestamp)
