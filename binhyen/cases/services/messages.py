"""Write paths for contacts, conversations and incoming messages.

Every function here is the single way its use case happens: the Zalo worker, the console,
the REST API, the CLI and the tests all call these.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Attachment, Case, CaseEvent, Contact, Conversation, Message
from binhyen.cases.services.common import enqueue, run_after_receive
from binhyen.lib import codes, crypto
from binhyen.vault import services as vault

if TYPE_CHECKING:
    from binhyen.channels.models import ChannelAccount

log = logging.getLogger(__name__)

# Message kinds that never open a case on their own (a sticker is not a report).
NON_CASE_KINDS = {Message.Kind.STICKER, Message.Kind.EVENT}


@dataclass(frozen=True)
class IncomingAttachment:
    kind: str
    url: str = ""
    thumbnail_url: str = ""
    name: str = ""
    size: int | None = None
    description: str = ""


@dataclass(frozen=True)
class IncomingMessage:
    """A citizen's message, provider-neutral, as the channel adapters hand it over."""

    channel_account: ChannelAccount
    contact_key: str
    contact_kind: str
    provider_message_id: str
    kind: str
    text: str
    sent_at: datetime
    identity: dict[str, str] = field(default_factory=dict)
    attachments: list[IncomingAttachment] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    quote_provider_id: str = ""
    # Tipster protection, known at the door: set on the case when it opens, so that
    # everything the opening triggers (alerts, notices) already sees it.
    is_anonymous: bool = False
    secrecy_requested: bool = False


# --- contacts and conversations -------------------------------------------------------------


def _contact_hash(channel_account: ChannelAccount, contact_key: str) -> str:
    return crypto.lookup_hash("contact", str(channel_account.pk), contact_key)


def contact_find(*, channel_account: ChannelAccount, contact_key: str) -> Contact | None:
    return Contact.objects.filter(
        channel_account=channel_account, key_hash=_contact_hash(channel_account, contact_key)
    ).first()


@transaction.atomic
def contact_upsert(
    *,
    channel_account: ChannelAccount,
    contact_key: str,
    kind: str,
    identity: dict[str, str] | None = None,
    seen_at: datetime | None = None,
) -> Contact:
    key_hash = _contact_hash(channel_account, contact_key)
    contact = Contact.objects.filter(channel_account=channel_account, key_hash=key_hash).first()
    if contact is None:
        try:
            with transaction.atomic():
                contact = Contact.objects.create(
                    channel_account=channel_account,
                    key_hash=key_hash,
                    kind=kind,
                    pseudonym=codes.pseudonym_from_hash(key_hash),
                    identity=vault.identity_create(data=dict(identity or {})),
                    last_seen_at=seen_at,
                )
        except IntegrityError:
            # Two workers met the same new citizen at once: the other one created it.
            contact = Contact.objects.get(channel_account=channel_account, key_hash=key_hash)
    elif identity and contact.identity is not None:
        vault.identity_merge(identity=contact.identity, data=identity)
    if seen_at and (contact.last_seen_at is None or seen_at > contact.last_seen_at):
        contact.last_seen_at = seen_at
        contact.save(update_fields=["last_seen_at"])
    return contact


def _conversation_for(contact: Contact) -> Conversation:
    conversation, _created = Conversation.objects.get_or_create(
        contact=contact, defaults={"channel_account": contact.channel_account}
    )
    return conversation


@transaction.atomic
def contact_set_follower(
    *,
    channel_account: ChannelAccount,
    contact_key: str,
    kind: str,
    following: bool,
    at: datetime,
    identity: dict[str, str] | None = None,
) -> Contact:
    if following:
        # Following an OA counts as an interaction: it opens the reply window.
        contact = contact_interaction(
            channel_account=channel_account,
            contact_key=contact_key,
            kind=kind,
            at=at,
            identity=identity,
        )
    else:
        contact = contact_upsert(
            channel_account=channel_account,
            contact_key=contact_key,
            kind=kind,
            identity=identity,
            seen_at=at,
        )
    contact.is_follower = following
    contact.save(update_fields=["is_follower"])
    return contact


@transaction.atomic
def contact_interaction(
    *,
    channel_account: ChannelAccount,
    contact_key: str,
    kind: str,
    at: datetime,
    identity: dict[str, str] | None = None,
) -> Contact:
    """An interaction that is not a message (e.g. Zalo's "chat now"): opens the window."""
    contact = contact_upsert(
        channel_account=channel_account,
        contact_key=contact_key,
        kind=kind,
        identity=identity,
        seen_at=at,
    )
    _touch_inbound(_conversation_for(contact), at)
    return contact


@transaction.atomic
def contact_submit_info(
    *,
    channel_account: ChannelAccount,
    contact_key: str,
    kind: str,
    info: dict[str, str],
    at: datetime,
    provider_message_id: str,
) -> Message:
    """The citizen sent their contact details (Zalo form): into the vault, not the thread."""
    contact = contact_upsert(
        channel_account=channel_account,
        contact_key=contact_key,
        kind=kind,
        identity=info,
        seen_at=at,
    )
    conversation = _conversation_for(contact)
    existing = Message.objects.filter(
        conversation=conversation, provider_message_id=provider_message_id
    ).first()
    if existing is not None:
        return existing  # the same event applied again
    _touch_inbound(conversation, at)
    case = _open_case_of(conversation)
    message = Message.objects.create(
        conversation=conversation,
        case=case,
        direction=Message.Direction.IN,
        kind=Message.Kind.CONTACT_INFO,
        text=_("Người dân đã gửi thông tin liên hệ (lưu trong kho danh tính)."),
        sent_at=at,
        provider_message_id=provider_message_id,
    )
    if case is not None:
        _case_touch(case, at, inbound=True)
    return message


@transaction.atomic
def contact_erase(*, channel_account: ChannelAccount, contact_key: str) -> Contact | None:
    """The citizen withdrew consent (Zalo user_withdraw): forget who they are."""
    contact = contact_find(channel_account=channel_account, contact_key=contact_key)
    if contact is None:
        return None
    if contact.identity is not None:
        vault.identity_erase(identity=contact.identity)
    # Nothing may link that person to this contact any more: a later message from the
    # same account starts a new, unknown contact.
    contact.key_hash = crypto.lookup_hash("erased", secrets.token_hex(16))
    contact.save(update_fields=["key_hash"])
    from binhyen.channels.inbox import events_redact_person

    events_redact_person(channel_account=channel_account, person_key=contact_key)
    for case in Case.objects.filter(contact=contact):
        CaseEvent.objects.create(
            case=case,
            kind="identity_erased",
            text=_("Người dân yêu cầu xóa dữ liệu cá nhân; danh tính đã được xóa."),
        )
    return contact


def _touch_inbound(conversation: Conversation, at: datetime) -> None:
    if conversation.last_inbound_at is None or at > conversation.last_inbound_at:
        conversation.last_inbound_at = at
        conversation.save(update_fields=["last_inbound_at"])


# --- cases ------------------------------------------------------------------------------------


def _open_case_of(conversation: Conversation) -> Case | None:
    return (
        Case.objects.filter(conversation=conversation, status__in=Case.OPEN_STATUSES)
        .order_by("-opened_at")
        .first()
    )


def _new_case_code() -> str:
    for _attempt in range(10):
        code = codes.case_code()
        if not Case.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not allocate a case code")


def _summary(text: str, kind: str) -> str:
    text = " ".join(text.split())
    if not text:
        return str(Message.Kind(kind).label) if kind in Message.Kind.values else ""
    return text[:297] + "…" if len(text) > 300 else text


@transaction.atomic
def case_open(
    *,
    unit_id: int,
    channel_account: ChannelAccount | None,
    conversation: Conversation | None,
    contact: Contact | None,
    summary: str,
    at: datetime,
    is_anonymous: bool = False,
    secrecy_requested: bool = False,
) -> Case:
    case = Case.objects.create(
        is_anonymous=is_anonymous,
        secrecy_requested=secrecy_requested and not is_anonymous,
        code=_new_case_code(),
        unit_id=unit_id,
        channel_account=channel_account,
        conversation=conversation,
        contact=contact,
        summary=summary,
        opened_at=at,
        last_message_at=at,
        last_inbound_at=at,
    )
    CaseEvent.objects.create(
        case=case,
        at=at,
        kind="opened",
        text=_("Tiếp nhận qua %(channel)s") % {"channel": channel_account or _("kênh khác")},
    )
    from binhyen.cases.services import hooks

    hooks.opened(case, at)
    return case


def _case_touch(case: Case, at: datetime, *, inbound: bool) -> None:
    fields = ["last_message_at"]
    case.last_message_at = max(case.last_message_at, at)
    if inbound:
        case.last_inbound_at = at
        case.unread = True
        fields += ["last_inbound_at", "unread"]
    case.save(update_fields=fields)


@transaction.atomic
def message_receive(*, incoming: IncomingMessage) -> Message | None:
    """Store a citizen's message in its conversation and the right case.

    Returns None when the message was already stored (a redelivery under another key).
    """
    contact = contact_upsert(
        channel_account=incoming.channel_account,
        contact_key=incoming.contact_key,
        kind=incoming.contact_kind,
        identity=incoming.identity,
        seen_at=incoming.sent_at,
    )
    conversation = _conversation_for(contact)
    if (
        incoming.provider_message_id
        and Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.IN,
            provider_message_id=incoming.provider_message_id,
        ).exists()
    ):
        return None
    _touch_inbound(conversation, incoming.sent_at)

    case = _open_case_of(conversation)
    opened = False
    if case is None and incoming.kind not in NON_CASE_KINDS and not contact.is_staff:
        case = case_open(
            unit_id=incoming.channel_account.unit_id,
            channel_account=incoming.channel_account,
            conversation=conversation,
            contact=contact,
            summary=_summary(incoming.text, incoming.kind),
            at=incoming.sent_at,
            is_anonymous=incoming.is_anonymous,
            secrecy_requested=incoming.secrecy_requested,
        )
        opened = True

    message = Message.objects.create(
        conversation=conversation,
        case=case,
        direction=Message.Direction.IN,
        kind=incoming.kind,
        text=incoming.text,
        sent_at=incoming.sent_at,
        provider_message_id=incoming.provider_message_id,
        quote_provider_id=incoming.quote_provider_id,
        latitude=incoming.latitude,
        longitude=incoming.longitude,
    )
    for att in incoming.attachments:
        attachment = Attachment.objects.create(
            message=message,
            token=secrets.token_hex(12),
            kind=att.kind,
            remote_url=att.url,
            thumbnail_url=att.thumbnail_url,
            name=att.name[:255],
            size=att.size,
            description=att.description[:500],
            status=Attachment.Status.PENDING if att.url else Attachment.Status.REMOTE,
        )
        if att.url and att.kind != "link":
            enqueue("binhyen.channels.tasks.fetch_attachment", attachment.pk)
        elif att.kind == "link":
            Attachment.objects.filter(pk=attachment.pk).update(status=Attachment.Status.REMOTE)
    if case is not None:
        if not opened:
            _case_touch(case, incoming.sent_at, inbound=True)
            if not case.summary and incoming.text:
                case.summary = _summary(incoming.text, incoming.kind)
                case.save(update_fields=["summary"])
        run_after_receive(case=case, message=message, opened=opened)
    return message


# --- delivery state (called by the channel workers) --------------------------------------------


@transaction.atomic
def message_delivery_update(
    *,
    message: Message,
    delivery: str,
    provider_message_id: str = "",
    error_code: int | None = None,
    error_kind: str = "",
    error_message: str = "",
    next_attempt_at: datetime | None = None,
) -> Message:
    now = timezone.now()
    message.delivery = delivery
    fields = ["delivery", "next_attempt_at", "error_code", "error_kind", "error_message"]
    message.next_attempt_at = next_attempt_at
    message.error_code = error_code
    message.error_kind = error_kind
    message.error_message = error_message[:300]
    if provider_message_id:
        message.provider_message_id = provider_message_id
        fields.append("provider_message_id")
    message.save(update_fields=fields)
    if delivery == Message.Delivery.SENT and message.conversation_id:
        Conversation.objects.filter(pk=message.conversation_id).update(last_outbound_at=now)
    if message.case_id and delivery in {Message.Delivery.SENT, Message.Delivery.FAILED}:
        text = (
            _("Đã gửi trả lời tới người dân")
            if delivery == Message.Delivery.SENT
            else _("Không gửi được trả lời: %(why)s") % {"why": error_message}
        )
        CaseEvent.objects.create(
            case_id=message.case_id,
            at=now,
            kind=f"reply_{delivery}",
            text=text[:500],
            data={"message": message.pk, "error_code": error_code},
        )
    return message


@transaction.atomic
def messages_mark_receipt(
    *, channel_account: ChannelAccount, provider_message_ids: list[str], seen: bool, at: datetime
) -> int:
    qs = Message.objects.filter(
        conversation__channel_account=channel_account,
        direction=Message.Direction.OUT,
        provider_message_id__in=[m for m in provider_message_ids if m],
    )
    n = 0
    for message in qs:
        fields = []
        if message.delivered_at is None:
            message.delivered_at = at
            fields.append("delivered_at")
        if seen and message.seen_at is None:
            message.seen_at = at
            fields.append("seen_at")
        new_state = (
            Message.Delivery.SEEN if (seen or message.seen_at) else Message.Delivery.DELIVERED
        )
        if message.delivery in {
            Message.Delivery.SENT,
            Message.Delivery.DELIVERED,
            Message.Delivery.UNCERTAIN,
        }:
            message.delivery = new_state
            fields.append("delivery")
        if fields:
            message.save(update_fields=fields)
            n += 1
    return n


@transaction.atomic
def message_record_echo(
    *,
    channel_account: ChannelAccount,
    contact_key: str,
    contact_kind: str,
    provider_message_id: str,
    kind: str,
    text: str,
    at: datetime,
    admin_id: str = "",
    attachments: list[IncomingAttachment] | None = None,
) -> Message | None:
    """Zalo echoes every message the page sends. Ours are matched; others are recorded.

    A message typed by an administrator in Zalo's own chat tool never went through
    BinhYen: it is added to the thread so the case shows everything the citizen saw.
    """
    ours = Message.objects.filter(
        conversation__channel_account=channel_account,
        direction=Message.Direction.OUT,
        provider_message_id=provider_message_id,
    ).first()
    if ours is not None:
        return None
    contact = contact_find(channel_account=channel_account, contact_key=contact_key)
    if contact is None:
        contact = contact_upsert(
            channel_account=channel_account, contact_key=contact_key, kind=contact_kind
        )
    conversation = _conversation_for(contact)
    # A send whose answer we never got: the echo proves it left (same text, same citizen).
    pending = (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.OUT,
            delivery__in=[Message.Delivery.SENDING, Message.Delivery.UNCERTAIN],
            text=text,
        )
        .order_by("sent_at")
        .first()
    )
    if pending is not None:
        message_delivery_update(
            message=pending,
            delivery=Message.Delivery.SENT,
            provider_message_id=provider_message_id,
        )
        return None
    case = _open_case_of(conversation)
    message = Message.objects.create(
        conversation=conversation,
        case=case,
        direction=Message.Direction.OUT,
        kind=kind,
        text=text,
        sent_at=at,
        provider_message_id=provider_message_id,
        author_label=_("Quản trị viên trang (công cụ Zalo)") if admin_id else _("Trang Zalo"),
        delivery=Message.Delivery.SENT,
    )
    for att in attachments or []:
        Attachment.objects.create(
            message=message,
            token=secrets.token_hex(12),
            kind=att.kind,
            remote_url=att.url,
            thumbnail_url=att.thumbnail_url,
            name=att.name[:255],
            size=att.size,
            status=Attachment.Status.REMOTE,
        )
    Conversation.objects.filter(pk=conversation.pk).update(last_outbound_at=at)
    if case is not None:
        _case_touch(case, at, inbound=False)
        CaseEvent.objects.create(
            case=case,
            at=at,
            kind="reply_outside",
            text=_("Trang đã nhắn cho người dân ngoài BinhYen (công cụ chat của Zalo)"),
        )
    return message
