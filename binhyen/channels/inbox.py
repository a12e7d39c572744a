"""Processing stored inbound events (worker side), for every provider.

The inbound table is its own queue: the webhook only INSERTs. On PostgreSQL a worker
claims a batch of events by locking their rows (`SELECT … FOR UPDATE SKIP LOCKED`) inside
the very transaction that applies them and marks them processed: one commit per batch, and
a worker that dies releases its claims with its connection. A batch shares one transaction
(`lib/txbatch.py`); when any of its events fails, it is rolled back and each event is
applied again in a transaction of its own. On SQLite (the inbox is its own file) workers claim
a few rows at a time with a compare-and-set UPDATE naming the holder (host, pid, process
start time); a claim whose holder died is taken back on the next pass, within seconds.
Processing is idempotent (messages dedupe on the provider's id), so a crash between the two
SQLite commits only means the event is applied again, harmlessly.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from binhyen import live
from binhyen.channels.models import ChannelAccount, InboundEvent, Provider
from binhyen.core.routers import inbox_alias
from binhyen.lib import crypto, txbatch
from binhyen.lib.env import env_int

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50
# Events applied in one shared transaction (a burst; see process_pending).
EVENT_BATCH = env_int("BINHYEN_EVENT_BATCH", 20)
STALE_CLAIM = timedelta(minutes=5)


# provider -> handle(row, account) -> final status; providers register in ChannelsConfig.ready
# (the inbox is provider-neutral and sits below the providers).
_HANDLERS: dict[str, Callable[[InboundEvent, ChannelAccount | None], str]] = {}
# provider -> prepare(rows, accounts): what a batch of its events can read at once, before
# they are applied one by one in the shared transaction (optional; see _apply_batch).
_PREPARERS: dict[str, Callable[[list[InboundEvent], dict[int, ChannelAccount | None]], None]] = {}


def register_handler(
    provider: str,
    handle: Callable[[InboundEvent, ChannelAccount | None], str],
    prepare: Callable[[list[InboundEvent], dict[int, ChannelAccount | None]], None] | None = None,
) -> None:
    _HANDLERS[Provider(provider)] = handle
    if prepare is not None:
        _PREPARERS[Provider(provider)] = prepare


def _handler(provider: str) -> Callable[[InboundEvent, ChannelAccount | None], str]:
    return _HANDLERS[Provider(provider)]


def _apply(row: InboundEvent, accounts: dict[int, ChannelAccount | None] | None = None) -> str:
    """Hand one event to its provider's handler. `accounts`: the pages already read in this
    transaction (a batch's events mostly come from a few pages)."""
    pk = row.channel_account_id
    if not pk:
        return _handler(row.provider)(row, None)
    if accounts is None or pk not in accounts:
        account = ChannelAccount.objects.select_related("unit").filter(pk=pk).first()
        if accounts is None:
            return _handler(row.provider)(row, account)
        accounts[pk] = account
    return _handler(row.provider)(row, accounts[pk])


def _outcome_status(outcome: str) -> str:
    return InboundEvent.Status.PROCESSED if outcome == "processed" else InboundEvent.Status.IGNORED


def _done(row: InboundEvent, outcome: str) -> None:
    row.status = _outcome_status(outcome)
    row.processed_at = timezone.now()
    row.last_error = ""
    row.claimed_by = ""
    row.save(update_fields=["attempts", "status", "processed_at", "last_error", "claimed_by"])


def _done_many(rows: list[InboundEvent], outcomes: list[str]) -> None:
    """Mark a batch's events applied: one UPDATE per outcome (processed, ignored)."""
    by_status: dict[str, list[int]] = {}
    for row, outcome in zip(rows, outcomes, strict=True):
        by_status.setdefault(_outcome_status(outcome), []).append(row.pk)
    now = timezone.now()
    for status, pks in by_status.items():
        InboundEvent.objects.filter(pk__in=pks).update(
            status=status,
            attempts=F("attempts") + 1,
            processed_at=now,
            last_error="",
            claimed_by="",
        )


def _apply_batch(rows: list[InboundEvent]) -> list[str]:
    """Apply several events in the caller's transaction, all or nothing: no savepoints, an
    error of any event propagates (the caller replays them one per transaction)."""
    ids = {row.channel_account_id for row in rows if row.channel_account_id}
    found = ChannelAccount.objects.select_related("unit").in_bulk(ids)
    accounts: dict[int, ChannelAccount | None] = {pk: found.get(pk) for pk in ids}
    with txbatch.shared():
        by_provider: dict[str, list[InboundEvent]] = {}
        for row in rows:
            by_provider.setdefault(Provider(row.provider), []).append(row)
        for provider, theirs in by_provider.items():
            prepare = _PREPARERS.get(provider)
            if prepare is not None:
                prepare(theirs, accounts)
        return [_apply(row, accounts) for row in rows]


def _failed(row: InboundEvent, exc: Exception) -> str:
    log.error(
        "inbound event %s failed (attempt %d)",
        row.pk,
        row.attempts,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    row.last_error = type(exc).__name__[:300]
    row.status = (
        InboundEvent.Status.FAILED if row.attempts >= MAX_ATTEMPTS else InboundEvent.Status.RECEIVED
    )
    row.claimed_at = None
    row.claimed_by = ""
    row.save(update_fields=["attempts", "last_error", "status", "claimed_at", "claimed_by"])
    return row.status


def process_event(row: InboundEvent) -> str:
    """Apply one claimed event in a transaction of its own; returns the final status."""
    row.attempts += 1
    try:
        with live.together(), transaction.atomic():
            outcome = _apply(row)
    except Exception as exc:
        return _failed(row, exc)
    _done(row, outcome)
    return row.status


def locks_rows() -> bool:
    """Whether a claim is a row lock held by the processing transaction (PostgreSQL, the
    inbox in the main database) rather than a lease written on the row (SQLite)."""
    alias = inbox_alias()
    return alias == "default" and connections[alias].vendor == "postgresql"


def _locked_waiting() -> QuerySet[InboundEvent]:
    return (
        InboundEvent.objects.select_for_update(skip_locked=True)
        .filter(status=InboundEvent.Status.RECEIVED)
        .order_by("id")
    )


def process_next_locked(pk: int | None = None) -> bool:
    """PostgreSQL: lock the oldest waiting event (or event `pk`; SKIP LOCKED: other workers
    take the next ones) and apply it in the same transaction that marks it processed.
    Nothing is written to claim it: if this process dies, its connection closes, the
    transaction rolls back and the event is free for the next worker at once. Returns False
    when none waits."""
    row: InboundEvent | None = None
    try:
        with live.together(), transaction.atomic():
            waiting = _locked_waiting()
            row = (waiting.filter(pk=pk) if pk is not None else waiting).first()
            if row is None:
                return False
            row.attempts += 1
            _done(row, _apply(row))
    except Exception as exc:
        if row is None:
            raise
        _record_failure_locked(row, exc)
    return True


def _record_failure_locked(row: InboundEvent, exc: Exception) -> None:
    """Rolled back, the event included: record the failed attempt on its own."""
    with transaction.atomic():
        again = _locked_waiting().filter(pk=row.pk).first()
        if again is not None:
            again.attempts = row.attempts
            _failed(again, exc)


def process_batch_locked(limit: int) -> int:
    """PostgreSQL: lock up to `limit` waiting events (SKIP LOCKED) and apply them all in one
    shared transaction that also marks them processed: one commit for the burst. When any
    of them fails, the whole batch rolls back and each event is replayed in a transaction of
    its own, with the usual savepoints (the failing one is retried and parked as before; the
    others are applied once). Returns how many events were taken (0: none waits)."""
    rows: list[InboundEvent] = []
    try:
        with live.together(), transaction.atomic():
            rows = list(_locked_waiting()[: max(limit, 1)])
            if rows:
                _done_many(rows, _apply_batch(rows))
        return len(rows)
    except Exception as exc:
        if not rows:
            raise
        _replaying(rows, exc)
    for row in rows:
        process_next_locked(row.pk)  # False: another worker took it meanwhile
    return len(rows)


def _replaying(rows: list[InboundEvent], exc: Exception) -> None:
    log.warning(
        "a batch of %d inbound event(s) failed (%s); applying them one per transaction",
        len(rows),
        type(exc).__name__,
    )


# --- SQLite: leases that name their holder ------------------------------------------------


def _start_ticks(pid: int) -> str | None:
    """The start time of process `pid` (Linux clock ticks since boot); None when it does
    not exist or is a zombie; "" where /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    if not fields or fields[0] in {"Z", "X"}:
        return None  # killed, not yet reaped by its parent
    return fields[19] if len(fields) > 19 else ""


def claimant() -> str:
    """This process as a lease holder: host, pid and start time (a reused pid is another
    process)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or ''}"[:120]


def claimant_alive(holder: str) -> bool:
    """False when the holder surely died (same host, and its pid is gone, a zombie, or now
    another process); True when alive or when this host cannot tell (then the claim waits
    for the STALE_CLAIM timeout)."""
    parts = holder.split(":")
    if len(parts) < 3 or not parts[-2].isdigit():
        return True
    host, pid, ticks = ":".join(parts[:-2]), int(parts[-2]), parts[-1]
    if host != socket.gethostname():
        return True
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    now = _start_ticks(pid)
    if now is None:
        return False
    return not (ticks and now and now != ticks)


def release_dead_claims() -> int:
    """Give back at once the events claimed by processes of this host that died."""
    dead = [
        pk
        for pk, holder in InboundEvent.objects.filter(status=InboundEvent.Status.PROCESSING)
        .exclude(claimed_by="")
        .values_list("pk", "claimed_by")
        if not claimant_alive(holder)
    ]
    if not dead:
        return 0
    log.warning("taking back %d inbound event(s) claimed by a dead worker", len(dead))
    return InboundEvent.objects.filter(pk__in=dead, status=InboundEvent.Status.PROCESSING).update(
        status=InboundEvent.Status.RECEIVED, claimed_at=None, claimed_by=""
    )


def claim(pk: int) -> bool:
    return bool(
        InboundEvent.objects.filter(pk=pk, status=InboundEvent.Status.RECEIVED).update(
            status=InboundEvent.Status.PROCESSING, claimed_at=timezone.now(), claimed_by=claimant()
        )
    )


def process_pending(limit: int = BATCH) -> int:
    """Claim and process up to `limit` waiting events, oldest first, in batches of up to
    EVENT_BATCH events sharing one transaction (a failing event never stops the others: its
    batch is replayed one event per transaction)."""
    done = 0
    if locks_rows():
        while done < limit:
            taken = process_batch_locked(min(EVENT_BATCH, limit - done))
            if not taken:
                break
            done += taken
        return done
    release_dead_claims()
    me = claimant()
    while done < limit:
        # Claim a burst at a time: it is applied in one transaction, other lanes take the rest.
        candidates = list(
            InboundEvent.objects.filter(status=InboundEvent.Status.RECEIVED)
            .order_by("id")
            .values_list("pk", flat=True)[: min(EVENT_BATCH, limit - done)]
        )
        if not candidates:
            break
        InboundEvent.objects.filter(pk__in=candidates, status=InboundEvent.Status.RECEIVED).update(
            status=InboundEvent.Status.PROCESSING, claimed_at=timezone.now(), claimed_by=me
        )
        rows = list(
            InboundEvent.objects.filter(
                pk__in=candidates, status=InboundEvent.Status.PROCESSING, claimed_by=me
            ).order_by("id")
        )
        if rows:
            process_claimed(rows)
            done += len(rows)
    return done


def process_claimed(rows: list[InboundEvent]) -> None:
    """SQLite: apply events this worker holds leases on, in one shared transaction of the
    main database, then mark them processed in the inbox (a crash in between only means
    they are applied again, harmlessly). When any fails: one transaction per event."""
    try:
        with live.together(), transaction.atomic():
            outcomes = _apply_batch(rows)
    except Exception as exc:
        _replaying(rows, exc)
    else:
        _done_many(rows, outcomes)
        return
    for row in rows:
        process_event(row)


def release_stale_claims() -> int:
    """Claims older than STALE_CLAIM whose holder cannot be checked (another host, or a
    claim written before holders were recorded): give the event back."""
    return InboundEvent.objects.filter(
        status=InboundEvent.Status.PROCESSING, claimed_at__lt=timezone.now() - STALE_CLAIM
    ).update(status=InboundEvent.Status.RECEIVED, claimed_at=None, claimed_by="")


# --- what the duty desk must see -----------------------------------------------------------

LATE_AFTER = timedelta(seconds=env_int("BINHYEN_INBOUND_LATE_SECONDS", 60))


@dataclass(frozen=True)
class Backlog:
    """Events of some pages that wait, how long the oldest has waited, and how many failed
    (counts only: nothing of what they say or who sent them)."""

    waiting: int
    oldest_at: datetime | None
    oldest_wait: timedelta | None
    failed: int

    @property
    def late(self) -> bool:
        return self.oldest_wait is not None and self.oldest_wait >= LATE_AFTER

    @property
    def alarming(self) -> bool:
        return self.late or self.failed > 0


def backlog(channel_account_ids: Iterable[int], now: datetime | None = None) -> Backlog:
    """One query over the (status, received_at) index."""
    ids = list(channel_account_ids)
    if not ids:
        return Backlog(waiting=0, oldest_at=None, oldest_wait=None, failed=0)
    pending = Q(status__in=[InboundEvent.Status.RECEIVED, InboundEvent.Status.PROCESSING])
    row = InboundEvent.objects.filter(
        pending | Q(status=InboundEvent.Status.FAILED), channel_account_id__in=ids
    ).aggregate(
        waiting=Count("pk", filter=pending),
        oldest=Min("received_at", filter=pending),
        failed=Count("pk", filter=Q(status=InboundEvent.Status.FAILED)),
    )
    oldest = row["oldest"]
    wait = max((now or timezone.now()) - oldest, timedelta(0)) if oldest else None
    return Backlog(waiting=row["waiting"], oldest_at=oldest, oldest_wait=wait, failed=row["failed"])


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
