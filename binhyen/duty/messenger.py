"""Linking an officer's own Zalo account to receive alerts (codes, claims, confirmation).

Whoever holds the link receives the officer's urgent alerts (case code, unit, the
citizen's words), so taking it over must be out of reach:

1. the console shows a one-time code of 12 Crockford characters (60 bits, "BY XXXX-XXXX-
   XXXX"), valid 30 minutes and stored only as a keyed hash;
2. a sender (one Zalo account) with `LINK_FAILS_PER_SENDER` wrong codes in an hour is not
   heard any more, even with the right code; a live code that `LINK_FAILS_PER_CODE` wrong
   codes were tried against on its page (from any number of accounts) is voided;
3. the right code only *proposes* the sending account: nothing is routed to it until the
   officer confirms it in the console (or rejects it, which voids the code);
4. confirmation and rejection are audited (`duty.messenger_link`, `…_rejected`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts.models import User
from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.cases.models import Contact
from binhyen.channels.models import ChannelAccount
from binhyen.duty.models import MessengerLink, MessengerLinkFailure
from binhyen.duty.services import messenger_notify
from binhyen.lib import codes, crypto

LINK_PREFIX = "BY"
LINK_CODE_CHARS = 12  # 60 bits
LINK_CODE_TTL = timedelta(minutes=30)
LINK_FAILS_PER_SENDER = 5
LINK_FAILS_PER_CODE = 10
LINK_FAIL_WINDOW = timedelta(hours=1)


class LinkError(Exception):
    """Refused; the message is shown to the officer as is."""


def _hash(code: str) -> str:
    return crypto.lookup_hash("messenger-link", code)


def _sender(channel_account: ChannelAccount, contact: Contact) -> str:
    return crypto.lookup_hash("messenger-link-sender", str(channel_account.pk), contact.key_hash)


def _normalise(raw: str) -> str:
    return raw.upper().translate(str.maketrans("OIL", "011"))


def parse_link_code(text: str) -> str | None:
    """The code in "BY XXXX-XXXX-XXXX" (any case, spaces or dashes), else None."""
    compact = "".join(ch for ch in text.strip() if ch not in " -_.\u00a0").upper()
    if not compact.startswith(LINK_PREFIX):
        return None
    raw = _normalise(compact[len(LINK_PREFIX) :])
    if len(raw) != LINK_CODE_CHARS or any(ch not in codes.ALPHABET for ch in raw):
        return None
    return raw


@transaction.atomic
def messenger_link_start(*, user: User, channel_account: ChannelAccount) -> str:
    """A one-time code the officer sends from their Zalo to the page (shown once)."""
    raw = codes.random_code(LINK_CODE_CHARS)
    MessengerLink.objects.update_or_create(
        user=user,
        defaults={
            "channel_account": channel_account,
            "code": _hash(raw),
            "code_expires_at": timezone.now() + LINK_CODE_TTL,
            "failed_attempts": 0,
            "code_voided_at": None,
            "pending_contact": None,
            "pending_at": None,
        },
    )
    return f"{LINK_PREFIX} {raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def messenger_link_claim(
    *, channel_account: ChannelAccount, contact: Contact, code: str
) -> MessengerLink | None:
    """A Zalo account sent a link code to the page. Returns the link it now proposes to
    join (pending the officer's confirmation), or None: a wrong code, a voided or expired
    one, or a sender that guessed too often (then the message is an ordinary one)."""
    now = timezone.now()
    sender = _sender(channel_account, contact)
    MessengerLinkFailure.objects.filter(at__lt=now - 24 * LINK_FAIL_WINDOW).delete()
    recent = MessengerLinkFailure.objects.filter(
        sender_hash=sender, at__gte=now - LINK_FAIL_WINDOW
    ).count()
    if recent >= LINK_FAILS_PER_SENDER:
        return None
    live = (
        MessengerLink.objects.select_for_update()
        .filter(channel_account=channel_account, code_expires_at__gt=now)
        .exclude(code="")
    )
    link = live.filter(code=_hash(code)).first()
    if link is None:
        MessengerLinkFailure.objects.create(
            channel_account=channel_account, sender_hash=sender, at=now
        )
        live.update(failed_attempts=F("failed_attempts") + 1)
        live.filter(failed_attempts__gte=LINK_FAILS_PER_CODE).update(
            code="", code_expires_at=None, code_voided_at=now
        )
        return None
    link.code = ""
    link.pending_contact = contact
    link.pending_at = now
    link.save(update_fields=["code", "pending_contact", "pending_at"])
    # Its messages must not open cases meanwhile (as for a linked officer).
    Contact.objects.filter(pk=contact.pk).update(is_staff=True)
    return link


def pending_claim(link: MessengerLink | None) -> bool:
    """A Zalo account sent this officer's code and waits for confirmation (not expired)."""
    return bool(
        link is not None
        and link.pending_contact_id is not None
        and link.pending_at is not None
        and link.pending_at > timezone.now() - LINK_CODE_TTL
    )


def _pending(user: User) -> MessengerLink:
    link = (
        MessengerLink.objects.select_for_update(of=("self",))
        .select_related("channel_account__unit", "pending_contact")
        .filter(user=user)
        .first()
    )
    if link is None or not pending_claim(link):
        raise LinkError(_("Không có tài khoản Zalo nào đang chờ xác nhận; hãy lấy mã mới."))
    return link


@transaction.atomic
def messenger_link_confirm(*, user: User) -> MessengerLink:
    """The officer confirms, in the console, that the account that sent the code is theirs."""
    link = _pending(user)
    contact = link.pending_contact
    assert contact is not None  # checked by _pending
    link.contact = contact
    link.linked_at = timezone.now()
    link.pending_contact = None
    link.pending_at = None
    link.failed_attempts = 0
    link.save()
    Contact.objects.filter(pk=contact.pk).update(is_staff=True)
    messenger_notify(
        user=user, text="BinhYen: đã liên kết Zalo của bạn để nhận cảnh báo tin báo khẩn."
    )
    audit_record(
        action=AuditAction.DUTY_MESSENGER_LINK,
        actor=user,
        target=link,
        target_unit=link.channel_account.unit,
        summary=f"Liên kết Zalo cá nhân để nhận cảnh báo qua trang {link.channel_account.name}",
        details={"page": link.channel_account.pk, "contact": contact.pk},
    )
    return link


@transaction.atomic
def messenger_link_reject(*, user: User) -> MessengerLink:
    """Not the officer's account: forget it and void the code (a new one is needed)."""
    link = _pending(user)
    contact = link.pending_contact
    link.pending_contact = None
    link.pending_at = None
    link.code = ""
    link.code_expires_at = None
    link.save(update_fields=["pending_contact", "pending_at", "code", "code_expires_at"])
    if contact is not None and not MessengerLink.objects.filter(contact=contact).exists():
        Contact.objects.filter(pk=contact.pk).update(is_staff=False)
    audit_record(
        action=AuditAction.DUTY_MESSENGER_LINK_REJECTED,
        actor=user,
        target=link,
        target_unit=link.channel_account.unit,
        summary=(
            "Cán bộ từ chối tài khoản Zalo đã gửi mã liên kết qua trang "
            f"{link.channel_account.name} (không phải của mình)"
        ),
        details={"page": link.channel_account.pk},
    )
    return link
