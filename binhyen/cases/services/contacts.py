"""Write paths for contacts and conversations: who wrote, on which page, and what
they allowed us to keep (the identity itself lives in the vault).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from binhyen.cases.models import Case, Contact, Conversation, Message
from binhyen.cases.services.common import (
    case_touch,
    conversation_touch_inbound,
    timeline_record,
)
from binhyen.cases.services.lifecycle import emit
from binhyen.lib import codes, crypto, txbatch
from binhyen.vault import store as vault

if TYPE_CHECKING:
    from binhyen.channels.models import ChannelAccount

log = logging.getLogger(__name__)

# --- contacts and conversations -------------------------------------------------------------


def _contact_hash(channel_account: ChannelAccount, contact_key: str) -> str:
    return crypto.lookup_hash("contact", str(channel_account.pk), contact_key)


def contact_find(*, channel_account: ChannelAccount, contact_key: str) -> Contact | None:
    return Contact.objects.filter(
        channel_account=channel_account, key_hash=_contact_hash(channel_account, contact_key)
    ).first()


# In a worker's batch: (page id, key hash) of senders known to have no contact when the
# batch began (`contacts_prepare`); each is used once, by the first message that creates it.
_ABSENT = "contacts.absent"
# ... and the contacts `contacts_prepare` created for them, each with its conversation,
# handed to the first `contact_upsert` of that sender (page id, key hash) -> Contact.
_PREPARED = "contacts.prepared"


@dataclass(frozen=True)
class FirstContact:
    """A sender whose first event in a worker's batch is a message: what that message's
    `contact_upsert` (and `conversation_for`) would write for them if they are new."""

    channel_account: ChannelAccount
    contact_key: str
    kind: str
    identity: dict[str, str]
    seen_at: datetime


def contacts_prepare(
    senders: list[tuple[ChannelAccount, str]], first: list[FirstContact] | None = None
) -> None:
    """A worker's batch about to apply these senders' messages (page, contact key): which of
    them have no contact yet, in one query. Only absence is kept (a contact found is read
    again where it is used: what the batch did to it meanwhile is in the database). The new
    ones among `first` (their first event of the batch is a message) get their identity,
    contact and conversation here, each kind in one INSERT for the batch, exactly as that
    message would have written them (`contact_upsert` hands them over); the other new ones
    are created by their first event without a look-up. Should a contact appear after all
    (another worker), creating it again breaks the unique key, and the batch is replayed one
    event per transaction, which looks first."""
    absent = txbatch.known(_ABSENT)
    if absent is None or len(senders) < 2:
        return  # one sender: its own lookup is the same one query
    wanted = {(account.pk, _contact_hash(account, key)) for account, key in senders}
    found = set(
        Contact.objects.filter(key_hash__in={digest for _pk, digest in wanted}).values_list(
            "channel_account_id", "key_hash"
        )
    )
    for pair in wanted - found:
        absent[pair] = True
    _contacts_create(absent, first or [])


def _contacts_create(absent: dict[tuple[int, str], bool], first: list[FirstContact]) -> None:
    new: dict[tuple[int, str], FirstContact] = {}
    for sender in first:
        pair = (
            sender.channel_account.pk,
            _contact_hash(sender.channel_account, sender.contact_key),
        )
        if absent.get(pair) and pair not in new:
            new[pair] = sender
    if not new:
        return
    identities = vault.identities_create([sender.identity for sender in new.values()])
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                channel_account=sender.channel_account,
                key_hash=key_hash,
                kind=sender.kind,
                pseudonym=codes.pseudonym_from_hash(key_hash),
                identity=identity,
                last_seen_at=sender.seen_at,
            )
            for ((_pk, key_hash), sender), identity in zip(new.items(), identities, strict=True)
        ]
    )
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                contact=contact,
                channel_account=sender.channel_account,
                last_inbound_at=sender.seen_at,
            )
            for contact, sender in zip(contacts, new.values(), strict=True)
        ]
    )
    prepared = txbatch.known(_PREPARED)
    assert prepared is not None
    for pair, contact, conversation in zip(new, contacts, conversations, strict=True):
        del absent[pair]
        contact.created_now = True  # type: ignore[attr-defined]
        contact.prepared_conversation = conversation  # type: ignore[attr-defined]
        prepared[pair] = contact


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def contact_upsert(
    *,
    channel_account: ChannelAccount,
    contact_key: str,
    kind: str,
    identity: dict[str, str] | None = None,
    seen_at: datetime | None = None,
) -> Contact:
    key_hash = _contact_hash(channel_account, contact_key)
    prepared = txbatch.known(_PREPARED)
    made: Contact | None = prepared.pop((channel_account.pk, key_hash), None) if prepared else None
    if made is not None:
        wrote = made.identity.data if made.identity is not None else None
        if (
            made.kind == kind
            and made.last_seen_at == seen_at
            and wrote == vault.identity_data(dict(identity or {}))
        ):
            return made  # created by contacts_prepare with these very values
        made.created_now = False  # type: ignore[attr-defined]
        del made.prepared_conversation  # type: ignore[attr-defined]
    absent = txbatch.known(_ABSENT)
    if absent and absent.pop((channel_account.pk, key_hash), False):
        contact = None  # none when the batch began (contacts_prepare)
    elif made is not None:
        contact = made  # created by contacts_prepare (with other values: updated below)
    else:
        contact = Contact.objects.filter(channel_account=channel_account, key_hash=key_hash).first()
    if contact is None:
        try:
            with txbatch.savepoint():
                contact = Contact.objects.create(
                    channel_account=channel_account,
                    key_hash=key_hash,
                    kind=kind,
                    pseudonym=codes.pseudonym_from_hash(key_hash),
                    identity=vault.identity_create(data=dict(identity or {})),
                    last_seen_at=seen_at,
                )
        except IntegrityError:
            if txbatch.active():
                raise  # the batch is replayed one event per transaction
            # Two workers met the same new citizen at once: the other one created it.
            contact = Contact.objects.get(channel_account=channel_account, key_hash=key_hash)
        else:
            contact.created_now = True  # type: ignore[attr-defined]
            return contact
    elif identity and contact.identity is not None:
        vault.identity_merge(identity=contact.identity, data=identity)
    if seen_at and (contact.last_seen_at is None or seen_at > contact.last_seen_at):
        contact.last_seen_at = seen_at
        contact.save(update_fields=["last_seen_at"])
    return contact


def conversation_for(contact: Contact, *, inbound_at: datetime | None = None) -> Conversation:
    """The contact's conversation. A contact created in this very transaction gets its
    conversation without a lookup (nobody else can have made it), marked `created_now`, with
    `inbound_at` as its last inbound time."""
    prepared: Conversation | None = getattr(contact, "prepared_conversation", None)
    if prepared is not None and getattr(contact, "created_now", False):
        del contact.prepared_conversation  # type: ignore[attr-defined]
        if prepared.last_inbound_at != inbound_at:
            prepared.last_inbound_at = inbound_at
            prepared.save(update_fields=["last_inbound_at"])
        prepared.created_now = True  # type: ignore[attr-defined]
        return prepared  # written by contacts_prepare, with the batch's other new ones
    if getattr(contact, "created_now", False):
        conversation = Conversation.objects.create(
            contact=contact, channel_account=contact.channel_account, last_inbound_at=inbound_at
        )
        conversation.created_now = True  # type: ignore[attr-defined]
        return conversation
    conversation, _created = Conversation.objects.get_or_create(
        contact=contact, defaults={"channel_account": contact.channel_account}
    )
    return conversation


def open_case_of(conversation: Conversation) -> Case | None:
    """The case a new message of the conversation goes to: the newest open case that was not
    split off another one (a question split off a knife report must not collect the
    report's follow-ups: "they are still there" belongs to the report). Triage splits the
    message off again when it is clearly something else."""
    return (
        Case.objects.filter(conversation=conversation, status__in=Case.OPEN_STATUSES)
        .order_by(F("split_from").asc(nulls_first=True), "-opened_at")
        .first()
    )


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
    previous = contact.is_follower
    contact.is_follower = following
    contact.save(update_fields=["is_follower"])
    emit("followed", contact=contact, following=following, previous=previous, at=at)
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
    conversation_touch_inbound(conversation_for(contact), at)
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
    conversation = conversation_for(contact)
    existing = Message.objects.filter(
        conversation=conversation, provider_message_id=provider_message_id
    ).first()
    if existing is not None:
        return existing  # the same event applied again
    conversation_touch_inbound(conversation, at)
    case = open_case_of(conversation)
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
        case_touch(case, at, inbound=True)
    return message


@transaction.atomic
def contact_erase(*, channel_account: ChannelAccount, contact_key: str) -> Contact | None:
    """The citizen withdrew consent (Zalo user_withdraw): forget who they are.

    The channel's own raw events are the channel's to redact (the caller does it)."""
    contact = contact_find(channel_account=channel_account, contact_key=contact_key)
    if contact is None:
        return None
    if contact.identity is not None:
        first = Case.objects.filter(contact=contact).select_related("unit").first()
        vault.identity_erase(identity=contact.identity, unit=first.unit if first else None)
    # Nothing may link that person to this contact any more: a later message from the
    # same account starts a new, unknown contact.
    contact.key_hash = crypto.lookup_hash("erased", secrets.token_hex(16))
    contact.save(update_fields=["key_hash"])
    for case in Case.objects.filter(contact=contact):
        timeline_record(
            case=case,
            kind="identity_erased",
            text=_("Người dân yêu cầu xóa dữ liệu cá nhân; danh tính đã được xóa."),
        )
    return contact
