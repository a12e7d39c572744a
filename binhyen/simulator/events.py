"""Zalo OA webhook bodies, built exactly as Zalo shapes them (zalo-oa.md §2.4-§2.8).

Pure functions: they take ids and a clock reading and return the dict that the simulator
serialises, signs and POSTs. Ids are strings like Zalo's (decimal user/OA ids, short hex
message ids); the timestamp is a string of epoch milliseconds, as in real events.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from binhyen.simulator.model import Payload


def new_msg_id() -> str:
    # Real msg_ids are short lowercase hex strings (about 20 characters).
    return secrets.token_hex(10)


def stable_id(*parts: str) -> str:
    """A 19-digit decimal id derived from `parts`: the same persona gets the same id."""
    digest = int(hashlib.sha256(":".join(parts).encode()).hexdigest(), 16)
    return str(10**18 + digest % (9 * 10**18))


def citizen_ids(persona: str, oa_id: str, app_id: str) -> tuple[str, str]:
    """(user_id, user_id_by_app): Zalo gives one person a different id per OA and per app."""
    return stable_id("user", persona, oa_id), stable_id("app-user", persona, app_id)


def _user_event(
    name: str,
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    message: Payload,
    ts_ms: int,
) -> Payload:
    return {
        "app_id": app_id,
        "sender": {"id": user_id},
        "user_id_by_app": user_id_by_app,
        "recipient": {"id": oa_id},
        "event_name": name,
        "message": message,
        "timestamp": str(ts_ms),
    }


def user_send_text(
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    text: str,
    msg_id: str,
    ts_ms: int,
    quote_msg_id: str | None = None,
) -> Payload:
    message: Payload = {"text": text, "msg_id": msg_id}
    if quote_msg_id:
        message["quote_msg_id"] = quote_msg_id
    return _user_event(
        "user_send_text",
        app_id=app_id,
        oa_id=oa_id,
        user_id=user_id,
        user_id_by_app=user_id_by_app,
        message=message,
        ts_ms=ts_ms,
    )


def user_send_image(
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    url: str,
    thumbnail: str,
    msg_id: str,
    ts_ms: int,
    caption: str | None = None,
) -> Payload:
    message: Payload = {
        "msg_id": msg_id,
        "attachments": [{"type": "image", "payload": {"url": url, "thumbnail": thumbnail}}],
    }
    if caption:
        message["text"] = caption
    return _user_event(
        "user_send_image",
        app_id=app_id,
        oa_id=oa_id,
        user_id=user_id,
        user_id_by_app=user_id_by_app,
        message=message,
        ts_ms=ts_ms,
    )


def user_send_location(
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    latitude: float,
    longitude: float,
    msg_id: str,
    ts_ms: int,
    text: str | None = None,
) -> Payload:
    # Coordinates travel as strings in real events.
    coordinates = {"latitude": str(float(latitude)), "longitude": str(float(longitude))}
    message: Payload = {
        "msg_id": msg_id,
        "attachments": [{"type": "location", "payload": {"coordinates": coordinates}}],
    }
    if text:
        message["text"] = text
    return _user_event(
        "user_send_location",
        app_id=app_id,
        oa_id=oa_id,
        user_id=user_id,
        user_id_by_app=user_id_by_app,
        message=message,
        ts_ms=ts_ms,
    )


def user_send_sticker(
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    sticker_id: str,
    url: str,
    msg_id: str,
    ts_ms: int,
) -> Payload:
    message: Payload = {
        "msg_id": msg_id,
        "attachments": [{"type": "sticker", "payload": {"id": sticker_id, "url": url}}],
    }
    return _user_event(
        "user_send_sticker",
        app_id=app_id,
        oa_id=oa_id,
        user_id=user_id,
        user_id_by_app=user_id_by_app,
        message=message,
        ts_ms=ts_ms,
    )


def follow_event(
    name: str,
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    ts_ms: int,
    source: str = "oa_profile",
) -> Payload:
    # follow/unfollow carry follower + oa_id, not sender/recipient.
    return {
        "oa_id": oa_id,
        "follower": {"id": user_id},
        "user_id_by_app": user_id_by_app,
        "event_name": name,
        "source": source,
        "app_id": app_id,
        "timestamp": str(ts_ms),
    }


def anonymous_send_text(
    *,
    app_id: str,
    oa_id: str,
    anonymous_id: str,
    conversation_id: str,
    text: str,
    msg_id: str,
    ts_ms: int,
) -> Payload:
    return {
        "app_id": app_id,
        "sender": {"id": anonymous_id},
        "recipient": {"id": oa_id},
        "event_name": "anonymous_send_text",
        "message": {"text": text, "msg_id": msg_id, "conversation_id": conversation_id},
        "timestamp": str(ts_ms),
    }


def oa_echo(
    name: str,
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str | None,
    message: Payload,
    ts_ms: int,
) -> Payload:
    """`oa_send_*` echo of an OA message: sender is the OA, recipient the citizen."""
    payload: Payload = {
        "app_id": app_id,
        "sender": {"id": oa_id},
        "recipient": {"id": user_id},
        "event_name": name,
        "message": message,
        "timestamp": str(ts_ms),
    }
    if user_id_by_app:
        payload["user_id_by_app"] = user_id_by_app
    return payload


def user_received_message(
    *, app_id: str, oa_id: str, user_id: str, user_id_by_app: str, msg_id: str, ts_ms: int
) -> Payload:
    # Receipts keep the echo's direction: sender = OA, recipient = citizen.
    return oa_echo(
        "user_received_message",
        app_id=app_id,
        oa_id=oa_id,
        user_id=user_id,
        user_id_by_app=user_id_by_app,
        message={"msg_id": msg_id},
        ts_ms=ts_ms,
    )


def user_seen_message(
    *,
    app_id: str,
    oa_id: str,
    user_id: str,
    user_id_by_app: str,
    msg_ids: list[str],
    ts_ms: int,
) -> Payload:
    # `msg_ids` is an array and there is no `msg_id` on this event.
    return oa_echo(
        "user_seen_message",
        app_id=app_id,
        oa_id=oa_id,
        user_id=user_id,
        user_id_by_app=user_id_by_app,
        message={"msg_ids": list(msg_ids)},
        ts_ms=ts_ms,
    )


_DIRECTION_OA_FIRST = ("oa_", "user_received_message", "user_seen_message")


def oa_and_person(payload: Payload) -> tuple[str | None, str | None]:
    """(oa_id, person id) of an event, following Zalo's direction rules (§2.7)."""
    name = str(payload.get("event_name", ""))
    sender, recipient, follower = (
        _obj(payload, key) for key in ("sender", "recipient", "follower")
    )
    if "oa_id" in payload:
        person = follower.get("id") or payload.get("user_id") or sender.get("id")
        return str(payload["oa_id"]), (str(person) if person else None)
    if name.startswith(_DIRECTION_OA_FIRST):
        return _opt(sender.get("id")), _opt(recipient.get("id"))
    return _opt(recipient.get("id")), _opt(sender.get("id"))


def _obj(payload: Payload, key: str) -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _opt(value: Any) -> str | None:
    return str(value) if value else None
