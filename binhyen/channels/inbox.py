"""Processing stored inbound events (worker side), for every provider.

The inbound table is its own queue: the webhook only INSERTs; workers claim rows with a
compare-and-set UPDATE (safe with several workers, on SQLite and PostgreSQL), process
them in a transaction on the main database, then mark them done. Processing is
idempotent (messages dedupe on the provider's id), so a crash between the two commits
only means the event is applied again, harmlessly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from binhyen.channels.models import ChannelAccount, InboundEvent, Provider
from binhyen.lib import crypto

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50
STALE_CLAIM = timedelta(minutes=5)


# provider -> handle(row, account) -> final status; providers register in ChannelsConfig.ready
# (the inbox is provider-neutral and sits below the providers).
_HANDLERS: dict[str, Callable[[InboundEvent, ChannelAccount | None], str]] = {}


def register_handler(
    provider: str, handle: Callable[[InboundEvent, ChannelAccount | None], str]
) -> None:
    _HANDLERS[Provider(provider)] = handle


def _handler(provider: str) -> Callable[[InboundEvent, ChannelAccount | None], str]:
    return _HANDLERS[Provider(provider)]


def process_event(row: InboundEvent) -> str:
    """Apply one claimed event; returns the final status."""
    row.attempts += 1
    account = (
        ChannelAccount.objects.select_related("unit").filter(pk=row.channel_account_id).first()
        if row.channel_account_id
        else None
    )
    try:
        with transaction.atomic():
            outcome = _handler(row.provider)(row, account)
    except Exception as exc:
        log.exception("inbound event %s failed (attempt %d)", row.pk, row.attempts)
        row.last_error = type(exc).__name__[:300]
        row.status = (
            InboundEvent.Status.FAILED
            if row.attempts >= MAX_ATTEMPTS
            else InboundEvent.Status.RECEIVED
        )
        row.claimed_at = None
        row.save(update_fields=["attempts", "last_error", "status", "claimed_at"])
        return row.status
    row.status = (
        InboundEvent.Status.PROCESSED if outcome == "processed" else InboundEvent.Status.IGNORED
    )
    row.processed_at = timezone.now()
    row.last_error = ""
    row.save(update_fields=["attempts", "status", "processed_at", "last_error"])
    return row.status


def claim(pk: int) -> bool:
    return bool(
        InboundEvent.objects.filter(pk=pk, status=InboundEvent.Status.RECEIVED).update(
            status=InboundEvent.Status.PROCESSING, claimed_at=timezone.now()
        )
    )


def process_pending(limit: int = BATCH) -> int:
    """Claim and process up to `limit` waiting events, oldest first."""
    done = 0
    candidates = list(
        InboundEvent.objects.filter(status=InboundEvent.Status.RECEIVED)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in candidates:
        if not claim(pk):
            continue  # another worker took it
        row = InboundEvent.objects.get(pk=pk)
        process_event(row)
        done += 1
    return done


def release_stale_claims() -> int:
    """A worker that died mid-event leaves a claim behind: give the event back."""
    return InboundEvent.objects.filter(
        status=InboundEvent.Status.PROCESSING, claimed_at__lt=timezone.now() - STALE_CLAIM
    ).update(status=InboundEvent.Status.RECEIVED, claimed_at=None)


def person_hash(*, channel_account_id: int, person_key: str) -> str:

    return crypto.lookup_hash("inbound-person", str(channel_account_id), person_key)


REDACTED_BODY = '{"redacted":true}'


def events_redact_person(
    *, channel_account: object, person_key: str, up_to: InboundEvent | None = None
) -> int:
    """Erasure: the raw events of this person keep their key and name, lose their body.

    With `up_to` (the withdrawal event itself), only events received until then: what the
    person sends after withdrawing is a new conversation, not data to forget (found by the
    webhook fuzzer: later messages were redacted before processing, and lost)."""
    digest = person_hash(channel_account_id=channel_account.pk, person_key=person_key)  # type: ignore[attr-defined]
    rows = InboundEvent.objects.filter(person_hash=digest, redacted_at__isnull=True)
    if up_to is not None:
        rows = rows.filter(pk__lte=up_to.pk)
    return _redact(rows)


def is_redacted(row: InboundEvent) -> bool:
    return row.redacted_at is not None or row.body == REDACTED_BODY


def events_redact_expired(now: object = None) -> int:
    """Periodic: raw bodies are kept for INBOUND_RETENTION_DAYS after processing, then only
    the event's key and outcome remain (enough to refuse a late redelivery)."""

    cutoff = timezone.now() - timedelta(days=settings.INBOUND_RETENTION_DAYS)
    return _redact(
        InboundEvent.objects.filter(
            status__in=[InboundEvent.Status.PROCESSED, InboundEvent.Status.IGNORED],
            received_at__lt=cutoff,
            redacted_at__isnull=True,
        )[:1000]
    )


def _redact(qs: object) -> int:
    n = 0
    for row in list(qs):  # type: ignore[call-overload]
        row.body = REDACTED_BODY
        row.redacted_at = timezone.now()
        row.save(update_fields=["body", "redacted_at"])
        n += 1
    return n
