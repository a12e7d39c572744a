"""Turn a stored Zalo event into BinhYen's provider-neutral service calls (worker side)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Contact, Message
from binhyen.channels import inbox
from binhyen.channels.models import ChannelAccount, InboundEvent
from binhyen.channels.zalo.schemas import Event
from binhyen.duty.messenger import messenger_link_claim, parse_link_code
from binhyen.lib import txbatch

if TYPE_CHECKING:
    from binhyen.duty.models import MessengerLink

log = logging.getLogger(__name__)

LAST_EVENT_EVERY = timedelta(seconds=10)

USER_MESSAGE_KINDS = {
    "text": Message.Kind.TEXT,
    "image": Message.Kind.IMAGE,
    "gif": Message.Kind.GIF,
    "file": Message.Kind.FILE,
    "audio": Message.Kind.AUDIO,
    "video": Message.Kind.VIDEO,
    "link": Message.Kind.LINK,
    "location": Message.Kind.LOCATION,
    "sticker": Message.Kind.STICKER,
    "business_card": Message.Kind.BUSINESS_CARD,
}


def _when(event: Event) -> datetime:
    try:
        at = datetime.fromtimestamp(event.timestamp_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return timezone.now()
    # Doc samples carry 12-digit timestamps; clocks drift. Keep what is plausible.
    now = timezone.now()
    if at.year < 2015 or (at - now).total_seconds() > 3600:
        return now
    return at


def _identity(event: Event, account: ChannelAccount, anonymous: bool) -> dict[str, str]:
    person = event.person_ref or ""
    if anonymous:
        conv = event.message.conversation_id if event.message else None
        return {
            "zalo_anonymous_id": person,
            "zalo_conversation_id": conv or "",
            "zalo_oa_id": account.external_id,
        }
    data = {"zalo_user_id": person, "zalo_oa_id": account.external_id}
    if event.user_id_by_app:
        data["zalo_user_id_by_app"] = event.user_id_by_app
    return data


def contact_key_of(event: Event) -> str:
    """The contact key this event belongs to, for the raw-event person index."""
    return _contact_key(event)[0]


def _contact_key(event: Event) -> tuple[str, str]:
    if event.event_name.startswith(("anonymous_", "oa_send_anonymous_")):
        # Anonymous users have no stable id; the conversation is what we can answer to.
        conv = (event.message.conversation_id if event.message else None) or ""
        return f"anon:{conv or event.person_ref}", Contact.Kind.ZALO_ANONYMOUS
    return f"user:{event.person_ref}", Contact.Kind.ZALO_USER


def _attachments(event: Event) -> tuple[list[cases.IncomingAttachment], float | None, float | None]:
    out: list[cases.IncomingAttachment] = []
    lat = lon = None
    for att in event.message.attachments if event.message else []:
        p = att.payload
        if att.type == "location" and p.coordinates is not None:
            lat, lon = p.coordinates.latitude, p.coordinates.longitude
            continue
        if att.type == "sticker":
            out.append(cases.IncomingAttachment(kind="sticker", url=p.url or "", name=p.id or ""))
            continue
        out.append(
            cases.IncomingAttachment(
                kind=att.type,
                url=p.url or "",
                thumbnail_url=p.thumbnail or "",
                name=p.name or "",
                size=p.size,
                description=(p.description or "")[:500],
            )
        )
    return out, lat, lon


def _message_kind(event: Event) -> str:
    suffix = event.event_name.rsplit("_send_", 1)[-1]
    return USER_MESSAGE_KINDS.get(suffix, Message.Kind.TEXT)


Handler = Callable[[Event, ChannelAccount, InboundEvent, datetime], str]


def _pages_seen(pks: list[int]) -> None:
    ChannelAccount.objects.filter(pk__in=pks).update(last_event_at=timezone.now())


def prepare(rows: list[InboundEvent], accounts: dict[int, ChannelAccount | None]) -> None:
    """A worker's batch, before its events are applied: the senders of citizens' messages
    are looked up together (`cases.contacts_prepare`: one query, not one per event). Each
    event parsed here is kept on its row for `handle`; one that does not parse is left for
    `handle` to fail on, as it would alone."""
    senders: list[tuple[ChannelAccount, str]] = []
    first: list[cases.FirstContact] = []
    seen: set[tuple[int, str]] = set()
    for row in rows:
        account = accounts.get(row.channel_account_id) if row.channel_account_id else None
        if account is None or inbox.is_redacted(row):
            continue
        try:
            event = Event.model_validate(json.loads(row.body))
        except ValueError:  # pydantic's ValidationError and JSONDecodeError are ValueErrors
            continue
        row.parsed_event = event  # type: ignore[attr-defined]
        if not event.person_ref:
            continue
        key, kind = _contact_key(event)
        earlier = (account.pk, key) in seen  # any event of this person before, of any kind
        seen.add((account.pk, key))
        if handler_for(event.event_name) is not _on_citizen_message:
            continue
        senders.append((account, key))
        if earlier or (_text_of(event) and parse_link_code(_text_of(event))):
            continue  # their contact is made by an earlier event or by the link code's path
        at = _when(event)
        row.parsed_at = at  # type: ignore[attr-defined]
        anonymous = event.event_name.startswith("anonymous_")
        first.append(
            cases.FirstContact(
                channel_account=account,
                contact_key=key,
                kind=kind,
                identity=_identity(event, account, anonymous),
                seen_at=at,
            )
        )
    cases.contacts_prepare(senders, first)


def handle(row: InboundEvent, account: ChannelAccount | None) -> str:
    """Apply one event. Returns 'processed' or 'ignored'. Raises on transient failure."""
    if account is None or inbox.is_redacted(row):
        return "ignored"  # redacted: the person withdrew before it was processed
    event = getattr(row, "parsed_event", None) or Event.model_validate(json.loads(row.body))
    now = timezone.now()
    # "Last event" is shown to the minute: written at most every LAST_EVENT_EVERY per page.
    if account.last_event_at is None or now - account.last_event_at >= LAST_EVENT_EVERY:
        # In a worker's batch, one UPDATE for all its pages before it commits.
        txbatch.gather("zalo.last_event_at", account.pk, _pages_seen)
        account.last_event_at = now
    handler = handler_for(event.event_name)
    if handler is None:
        return "ignored"
    # The time `prepare` took for it (an implausible timestamp reads as "now": once).
    return handler(event, account, row, getattr(row, "parsed_at", None) or _when(event))


def _text_of(event: Event) -> str:
    """The text of a citizen's message as it is stored."""
    msg = event.message
    # NUL: PostgreSQL text cannot hold it, and the event would fail until parked.
    text = ((msg.text or "") if msg else "").replace("\x00", "")
    if event.event_name == "user_send_business_card" and not text:
        text = "Người dân gửi một danh thiếp."
    return text


def _on_citizen_message(
    event: Event, account: ChannelAccount, row: InboundEvent, at: datetime
) -> str:
    """user_send_* / anonymous_send_*: a citizen's message goes into a case."""
    if not event.person_ref:
        return "ignored"
    name = event.event_name
    anonymous = name.startswith("anonymous_")
    key, kind = _contact_key(event)
    attachments, lat, lon = _attachments(event)
    msg = event.message
    text = _text_of(event)
    # A link code proposes the sender's account; the officer confirms it in the console.
    _maybe_link_officer(account, key, kind, text, event, anonymous)
    cases.message_receive(
        incoming=cases.IncomingMessage(
            channel_account=account,
            contact_key=key,
            contact_kind=kind,
            provider_message_id=(msg.msg_id or "") if msg else "",
            kind=_message_kind(event),
            text=text,
            sent_at=at,
            identity=_identity(event, account, anonymous),
            attachments=attachments,
            latitude=lat,
            longitude=lon,
            quote_provider_id=(msg.quote_msg_id or "") if msg else "",
            is_anonymous=anonymous,
        )
    )
    return "processed"


def _on_page_message(event: Event, account: ChannelAccount, row: InboundEvent, at: datetime) -> str:
    """oa_send_*: the page wrote (from BinhYen or from Zalo's own tools): kept in the thread."""
    if not event.person_ref or event.message is None:
        return "ignored"
    key, kind = _contact_key(event)
    attachments, _lat, _lon = _attachments(event)
    cases.message_record_echo(
        channel_account=account,
        contact_key=key,
        contact_kind=kind,
        provider_message_id=event.message.msg_id or "",
        kind=_message_kind(event),
        text=event.message.text or "",
        at=at,
        admin_id=(event.sender.admin_id or "") if event.sender else "",
        attachments=attachments,
    )
    return "processed"


def _on_receipt(event: Event, account: ChannelAccount, row: InboundEvent, at: datetime) -> str:
    """user_received_message / user_seen_message: delivery and read marks."""
    msg = event.message
    ids = (msg.msg_ids or ([msg.msg_id] if msg.msg_id else [])) if msg else []
    cases.messages_mark_receipt(
        channel_account=account,
        provider_message_ids=ids,
        seen=event.event_name == "user_seen_message",
        at=at,
    )
    return "processed"


def _on_follow(event: Event, account: ChannelAccount, row: InboundEvent, at: datetime) -> str:
    if not event.person_ref:
        return "ignored"
    cases.contact_set_follower(
        channel_account=account,
        contact_key=f"user:{event.person_ref}",
        kind=Contact.Kind.ZALO_USER,
        following=event.event_name == "follow",
        at=at,
        identity=_identity(event, account, anonymous=False),
    )
    return "processed"


def _on_chat_now(event: Event, account: ChannelAccount, row: InboundEvent, at: datetime) -> str:
    """Tapping "chat now" counts as an interaction: it opens the reply window."""
    if not event.person_ref:
        return "ignored"
    cases.contact_interaction(
        channel_account=account,
        contact_key=f"user:{event.person_ref}",
        kind=Contact.Kind.ZALO_USER,
        at=at,
        identity=_identity(event, account, anonymous=False),
    )
    return "processed"


def _on_submit_info(event: Event, account: ChannelAccount, row: InboundEvent, at: datetime) -> str:
    if not event.person_ref:
        return "ignored"
    cases.contact_submit_info(
        channel_account=account,
        contact_key=f"user:{event.person_ref}",
        kind=Contact.Kind.ZALO_USER,
        info=_submitted_info(event.info or {}),
        at=at,
        provider_message_id=row.key,
    )
    return "processed"


def _on_withdraw(event: Event, account: ChannelAccount, row: InboundEvent, at: datetime) -> str:
    """The person withdrew consent: their data is erased, their queued events redacted."""
    if event.person_ref:
        key = f"user:{event.person_ref}"
        cases.contact_erase(channel_account=account, contact_key=key)
        inbox.events_redact_person(channel_account=account, person_key=key, up_to=row)
    return "processed"


# Zalo event name -> handler. A name ending in "*" is a prefix (Zalo adds message kinds);
# any other event is ignored (kept as received, never an error).
HANDLERS: dict[str, Handler] = {
    "user_send_*": _on_citizen_message,
    "anonymous_send_*": _on_citizen_message,
    "oa_send_*": _on_page_message,
    "user_received_message": _on_receipt,
    "user_seen_message": _on_receipt,
    "follow": _on_follow,
    "unfollow": _on_follow,
    "user_click_chatnow": _on_chat_now,
    "user_submit_info": _on_submit_info,
    "user_withdraw": _on_withdraw,
}


def handler_for(name: str) -> Handler | None:
    exact = HANDLERS.get(name)
    if exact is not None:
        return exact
    for pattern, handler in HANDLERS.items():
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            return handler
    return None


def _maybe_link_officer(
    account: ChannelAccount, key: str, kind: str, text: str, event: Event, anonymous: bool
) -> MessengerLink | None:
    """An officer sending "BY XXXX-XXXX-XXXX" from their own Zalo proposes it for alerts."""

    code = parse_link_code(text) if text and not anonymous else None
    if code is None:
        return None
    contact = cases.contact_upsert(
        channel_account=account,
        contact_key=key,
        kind=kind,
        identity=_identity(event, account, anonymous=False),
        seen_at=_when(event),
    )
    return messenger_link_claim(channel_account=account, contact=contact, code=code)


def _submitted_info(info: dict[str, object]) -> dict[str, str]:
    """Both the current (full_address) and the legacy flat form of user_submit_info."""
    out: dict[str, str] = {}
    for key in ("name", "phone", "user_dob", "gender", "address", "city", "district", "ward"):
        value = info.get(key)
        if isinstance(value, str | int) and str(value).strip():
            out[key] = str(value).strip()[:300]
    full = info.get("full_address")
    if isinstance(full, dict):
        for key in ("user_address", "user_ward", "user_district", "user_city"):
            value = full.get(key)
            if isinstance(value, str) and value.strip():
                out[key.removeprefix("user_")] = value.strip()[:300]
    return out
