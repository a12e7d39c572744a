"""Receiving a citizen's message: into its conversation, into the right case (opening one
when needed), then the later stages (triage) are told.

Every function here is the single way its use case happens: the channel workers, the web
form, Open311, the CLI and the tests all call these.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.cases import search
from binhyen.cases.models import Attachment, Case, Contact, Conversation, Message
from binhyen.cases.services.common import (
    case_touch,
    conversation_touch_inbound,
    enqueue,
    timeline_record,
)
from binhyen.lib import codes, memo, txbatch

if TYPE_CHECKING:
    from binhyen.channels.models import ChannelAccount

from binhyen.cases.services.contacts import contact_upsert, conversation_for, open_case_of
from binhyen.cases.services.lifecycle import claim, emit

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
    # A code the citizen was already given for this report (the web form's tip code): the
    # case opened by this message takes it, so the citizen sees one code everywhere.
    case_code: str = ""


# --- cases ------------------------------------------------------------------------------------


def code_taken(code: str) -> bool:
    """Whether a case already has this code's random part, under any prefix (a prefix
    follows the case's kind, so two cases must never differ by their prefix alone)."""
    return Case.objects.filter(code__in=codes.code_variants(code)).exists()


def _new_case_code() -> str:
    if txbatch.active():
        return _pooled_case_code()
    for _attempt in range(10):
        code = codes.case_code()
        if not code_taken(code):
            return code
    raise RuntimeError("could not allocate a case code")


CODE_POOL = 20


def _pooled_case_code() -> str:
    """In a worker's batch: codes checked free CODE_POOL at a time (one query), handed out
    once each by this process (the same check-then-insert as one at a time)."""
    pool: list[str] = memo.remember(("cases.code_pool",), list)
    if not pool:
        fresh = {codes.case_code() for _ in range(CODE_POOL)}
        variants = [variant for code in fresh for variant in codes.code_variants(code)]
        taken = {
            codes.code_body(code)
            for code in Case.objects.filter(code__in=variants).values_list("code", flat=True)
        }
        pool.extend(sorted(c for c in fresh if codes.code_body(c) not in taken))
        if not pool:
            raise RuntimeError("could not allocate a case code")
    return pool.pop()


def _summary(text: str, kind: str) -> str:
    text = " ".join(text.split())
    if not text:
        return str(Message.Kind(kind).label) if kind in Message.Kind.values else ""
    return text[:297] + "…" if len(text) > 300 else text


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
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
    code: str = "",
    split_from: Case | None = None,
    text: str = "",
) -> Case:
    code = code or _new_case_code()
    case = Case.objects.create(
        search_text=search.seed(code, text),
        is_anonymous=is_anonymous,
        secrecy_requested=secrecy_requested and not is_anonymous,
        code=code,
        split_from=split_from,
        unit_id=unit_id,
        channel_account=channel_account,
        conversation=conversation,
        contact=contact,
        summary=summary,
        opened_at=at,
        last_message_at=at,
        last_inbound_at=at,
    )
    if channel_account is not None and channel_account.unit_id == unit_id:
        case.unit = channel_account.unit  # already loaded with the page: no lookup later
    if txbatch.active():
        # Its whole timeline is written in this transaction: `timeline_in_batch` knows it.
        case.opened_in_batch = True  # type: ignore[attr-defined]
    timeline_record(
        case=case,
        at=at,
        kind="opened",
        text=_("Tiếp nhận qua %(channel)s") % {"channel": channel_account or _("kênh khác")},
    )
    emit("opened", case=case, at=at)
    return case


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
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
    conversation = conversation_for(contact, inbound_at=incoming.sent_at)
    # A conversation made by this message has no messages and no case yet: no lookups.
    fresh = getattr(conversation, "created_now", False)
    if (
        incoming.provider_message_id
        and not fresh
        and Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.IN,
            provider_message_id=incoming.provider_message_id,
        ).exists()
    ):
        return None
    if not fresh:
        conversation_touch_inbound(conversation, incoming.sent_at)

    case = None if fresh else open_case_of(conversation)
    opened = False
    claimed = None
    if case is None and incoming.kind not in NON_CASE_KINDS and not contact.is_staff:
        claimed = claim(conversation=conversation, text=incoming.text, at=incoming.sent_at)
    if (
        case is None
        and claimed is None
        and incoming.kind not in NON_CASE_KINDS
        and not contact.is_staff
    ):
        case = case_open(
            unit_id=incoming.channel_account.unit_id,
            channel_account=incoming.channel_account,
            conversation=conversation,
            contact=contact,
            summary=_summary(incoming.text, incoming.kind),
            at=incoming.sent_at,
            is_anonymous=incoming.is_anonymous,
            secrecy_requested=incoming.secrecy_requested,
            code=incoming.case_code,
            text=incoming.text,
        )
        opened = True
        if txbatch.active():
            # Its one message, for the reactions of this batch (knowledge.question_text).
            case.opened_text = incoming.text  # type: ignore[attr-defined]

    message = Message.objects.create(
        conversation=conversation,
        case=case or claimed,
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
            case_touch(case, incoming.sent_at, inbound=True, text=incoming.text)
            if not case.summary and incoming.text:
                case.summary = _summary(incoming.text, incoming.kind)
                case.save(update_fields=["summary"])
        emit("received", case=case, message=message, opened=opened)
    return message
