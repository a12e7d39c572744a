"""Delivery state of what we sent (called by the channel workers) and messages the page
sent outside BinhYen (echoes).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Attachment, CaseEvent, Conversation, Message
from binhyen.cases.services.common import (
    case_touch,
)

if TYPE_CHECKING:
    from binhyen.channels.models import ChannelAccount

from binhyen.cases.services.contacts import (
    contact_find,
    contact_upsert,
    conversation_for,
    open_case_of,
)
from binhyen.cases.services.receiving import IncomingAttachment

log = logging.getLogger(__name__)


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
    conversation = conversation_for(contact)
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
    case = open_case_of(conversation)
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
        case_touch(case, at, inbound=False)
        CaseEvent.objects.create(
            case=case,
            at=at,
            kind="reply_outside",
            text=_("Trang đã nhắn cho người dân ngoài BinhYen (công cụ chat của Zalo)"),
        )
    return message
