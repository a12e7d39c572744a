"""Write path of the audit log, and its verification.

`audit_record` is the only way an entry is written. Call it inside your service's
transaction, as its last database write: it joins that transaction (a rolled-back action
leaves no entry and no gap in the chain) and it holds the chain lock until the caller
commits, so every other append in the system waits for that long.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from binhyen.accounts.models import Membership, User
from binhyen.audit import anchors, chain, keys
from binhyen.audit.models import AuditAction, AuditChainHead, AuditEntry
from binhyen.lib import txbatch
from binhyen.units.models import Unit

log = logging.getLogger(__name__)
anchor_log = logging.getLogger("binhyen.audit.anchor")

DB = DEFAULT_DB_ALIAS
MAX_SUMMARY_CHARS = 500
MAX_DETAILS_BYTES = 4000
# Keys that smell of identity data or secrets are refused in `details`, at any depth.
_DENIED_KEYS = {
    "name", "full_name", "display_name", "fullname", "ip", "identity", "cccd", "cmnd",
    "id_number", "dob", "birthday", "avatar", "token", "access_token", "refresh_token",
    "credentials", "location", "latitude", "longitude", "lat", "lon", "lng",
}  # fmt: skip
_DENIED_FRAGMENTS = ("password", "passwd", "secret", "phone", "zalo", "email", "address")
# Sign-in failures come from the staff login page: the address is a staff-side one.
_ANONYMOUS_STAFF_ACTIONS = {AuditAction.AUTH_LOGIN_FAILED}


class AuditDetailsError(ValueError):
    """`details` would carry identity data or secrets, or is too big."""


# --- who is acting (for the signal taps, which are not handed a request) -------------------------

_current: ContextVar[tuple[User | None, HttpRequest | None] | None] = ContextVar(
    "binhyen_audit_actor", default=None
)


@contextmanager
def audit_context(*, actor: User | None, request: HttpRequest | None = None) -> Iterator[None]:
    """Attribute tapped events (membership and flag changes) to `actor` within the block."""
    token = _current.set((actor, request))
    try:
        yield
    finally:
        _current.reset(token)


def current_actor() -> tuple[User | None, HttpRequest | None]:
    value = _current.get()
    if value is None:
        return None, None
    actor, request = value
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    return actor, request


# --- helpers -------------------------------------------------------------------------------------


def primary_unit(user: User) -> Unit | None:
    """The highest unit the user is a member of (the unit an action is taken from)."""
    m = (
        Membership.objects.filter(user=user)
        .select_related("unit")
        .order_by("unit__path", "pk")
        .first()
    )
    return m.unit if m is not None else None


def _unit_of(target: models.Model) -> Unit | None:
    if isinstance(target, Unit):
        return target
    if isinstance(target, User):
        return primary_unit(target)
    try:
        unit = getattr(target, "unit", None)
    except ObjectDoesNotExist:
        return None
    return unit if isinstance(unit, Unit) else None


def _check_details(value: chain.JSON, depth: int = 0) -> None:
    if depth > 6:
        raise AuditDetailsError("audit details are nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            k = key.lower()
            if k in _DENIED_KEYS or any(f in k for f in _DENIED_FRAGMENTS):
                raise AuditDetailsError(f"audit details may not carry {key!r}")
            _check_details(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_details(item, depth + 1)


def _clean_details(details: dict[str, Any] | None) -> dict[str, chain.JSON]:
    clean = chain.normalise_json(details or {})
    if not isinstance(clean, dict):
        raise AuditDetailsError("audit details must be a mapping")
    _check_details(clean)
    if len(json.dumps(clean, ensure_ascii=False).encode()) > MAX_DETAILS_BYTES:
        raise AuditDetailsError(f"audit details exceed {MAX_DETAILS_BYTES} bytes")
    return clean


def _staff_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: behind a proxy this is the proxy unless the deployment sets it.
    raw = str(request.META.get("REMOTE_ADDR") or "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return ""


def username_fingerprint(username: str) -> str:
    """A keyed fingerprint of an unknown login name: repeated attempts correlate, the text
    (often a mistyped password) is not kept."""
    key = hashlib.sha256(("audit-username:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:16]


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.using(DB).select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # Missing after `flush` (empty log) or deleted behind our back (then verify reports
    # any forged tail only against an external anchor; see docs/audit.md).
    last = AuditEntry.objects.using(DB).order_by("-seq").values("seq", "hash").first()
    if last is not None:
        log.error("audit chain head was missing; re-anchored at seq %s", last["seq"])
    AuditChainHead.objects.using(DB).bulk_create(
        [
            AuditChainHead(
                pk=1,
                seq=last["seq"] if last else 0,
                hash=last["hash"] if last else chain.GENESIS_HASH,
            )
        ],
        ignore_conflicts=True,
    )
    return AuditChainHead.objects.using(DB).select_for_update().get(pk=1)


# --- the write path ------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    actor: User | None,
    unit: Unit | None = None,
    target: models.Model | None = None,
    target_unit: Unit | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    `unit` is the actor's unit for this action (default: the actor's highest unit);
    `target_unit` defaults to the target itself if it is a Unit, its `unit` if it has one,
    or a target user's highest unit. `details` must never hold identity data: keys such
    as name/phone/zalo*/address/ip/password are refused with AuditDetailsError. `request`
    only supplies the staff member's IP address; it is ignored when there is no actor
    (except for failed sign-ins on the staff login page), so citizens' IPs are never kept.
    """
    code = AuditAction(action)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser
    clean_details = _clean_details(details)
    if unit is None and actor is not None:
        unit = primary_unit(actor)
    target_type = target_id = ""
    if target is not None:
        if target.pk is None:
            raise ValueError("audit target must be saved first")
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        if target_unit is None:
            target_unit = _unit_of(target)
    ip = ""
    if request is not None and (actor is not None or code in _ANONYMOUS_STAFF_ACTIONS):
        ip = _staff_ip(request)
    if not summary:
        with translation.override("vi"):
            summary = str(code.label)

    kid, _key = keys.current()
    entry = AuditEntry(
        at=timezone.now(),
        action=code.value,
        actor=actor,
        actor_username=chain.clean_text(actor.get_username() if actor else "")[:150],
        actor_unit=unit,
        actor_unit_path=unit.path if unit else "",
        target_type=target_type,
        target_id=chain.clean_text(target_id)[:64],
        target_unit=target_unit,
        target_unit_path=target_unit.path if target_unit else "",
        summary=chain.clean_text(summary)[:MAX_SUMMARY_CHARS],
        details=clean_details,
        ip_address=ip,
        key_id=kid,
    )
    if txbatch.active():
        # Events sharing a transaction append their entries together at its end: the
        # chain's head is locked for a moment before the commit, not for the whole batch
        # (other workers append too).
        txbatch.gather("audit.entries", _Pending(entry), _append_pending)
        return entry
    with transaction.atomic(using=DB):
        _append([entry])
    return entry


class _Pending:
    """An entry waiting for the end of the shared transaction (hashed by identity)."""

    __slots__ = ("entry",)

    def __init__(self, entry: AuditEntry) -> None:
        self.entry = entry


def _append_pending(pending: list[_Pending]) -> None:
    _append([p.entry for p in pending])


def _append(entries: list[AuditEntry]) -> None:
    """Chain `entries` after the head (locked until the caller's transaction ends)."""
    head = _lock_head()
    seq, prev = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry.compute_hash()
    for entry in entries:
        entry.save(using=DB)  # one by one: the log refuses bulk writes (models.py)
    AuditChainHead.objects.using(DB).filter(pk=head.pk).update(seq=seq, hash=prev)


def audit_access_denied(
    *,
    actor: User | None,
    verb: str,
    channel: str,
    reason: str,
    target: models.Model | None = None,
    target_unit: Unit | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry | None:
    """Record a refused attempt: a signed-in user asked for something outside their units
    (answered 404) or beyond their role (answered 403). One entry per attempt; also logged.

    `channel` is where it came from (page, api, file, export, admin, live), `verb` what was
    attempted (read, work, list, export, ...), `reason` outside_scope or role.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    target_desc = f"{target._meta.label_lower}:{target.pk}" if target is not None else "-"
    log.warning(
        "access denied: user=%s channel=%s verb=%s target=%s reason=%s",
        actor.pk if actor is not None else "-",
        channel,
        verb,
        target_desc,
        reason,
    )
    if actor is None:
        return None  # anonymous visitors are sent to sign in; nothing to attribute
    with transaction.atomic(using=DB):
        return audit_record(
            action=AuditAction.ACCESS_DENIED,
            actor=actor,
            target=target,
            target_unit=target_unit,
            summary=f"Từ chối {verb} qua {channel} ({reason})",
            details={"verb": verb, "channel": channel, "reason": reason},
            request=request,
        )


# --- verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int  # entries checked and found intact
    last_seq: int  # the last intact entry (the head when ok) …
    last_hash: str  # … and its hash: record both elsewhere as an anchor
    broken_seq: int | None = None
    reason: str = ""


def audit_verify(
    *,
    anchor: tuple[int, str] | None = None,
    anchor_file: str | None = None,
    chunk_size: int = 2000,
) -> VerifyResult:
    """Walk the whole chain; report the first broken entry.

    Detects an entry edited (its MAC no longer matches), deleted (the next link or the
    head no longer matches), inserted (a link, the seq order or the head no longer
    matches), and a chain recomputed by someone without the audit key: keyed entries'
    MACs do not match, and unkeyed (older-format) entries are accepted only before the
    first keyed one. Anchors — `anchor` = (seq, hash) recorded elsewhere, and every line
    of the anchor file (`anchor_file`, default the setting) — also catch a chain rewritten
    through the application and an end cut off after the anchor was written.
    """
    expected_seq = 1
    prev_hash = chain.GENESIS_HASH
    count = 0
    keyed = False
    last_keyed = False
    path = settings.AUDIT_ANCHOR_FILE if anchor_file is None else anchor_file
    try:
        anchored = anchors.read(path)
    except anchors.AnchorFileError as exc:
        return VerifyResult(False, 0, 0, chain.GENESIS_HASH, 0, str(exc))
    expected = {seq: (value, f"anchor file line {line}") for seq, value, line in anchored}
    if anchor is not None:
        expected[anchor[0]] = (anchor[1], "the external anchor")

    def broken(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, count, expected_seq - 1, prev_hash, seq, reason)

    rows = AuditEntry.objects.using(DB).order_by("seq").iterator(chunk_size=chunk_size)
    for entry in rows:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return broken(entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing")
            return broken(entry.seq, f"unexpected sequence number (expected {expected_seq})")
        if entry.prev_hash != prev_hash:
            return broken(
                entry.seq,
                "link to the previous entry is broken "
                "(an entry before it was removed, changed or inserted)",
            )
        if entry.key_id is None and keyed:
            return broken(
                entry.seq,
                "an unkeyed entry after keyed ones (written or recomputed without the key)",
            )
        try:
            matches = entry.hash == entry.compute_hash()
        except keys.UnknownAuditKey as exc:
            return broken(entry.seq, f"{exc} (an old key removed too early, or a forgery)")
        if not matches:
            return broken(
                entry.seq,
                "content does not match its MAC (the entry was edited, or the chain was "
                "recomputed without the key)",
            )
        if entry.seq in expected and entry.hash != expected[entry.seq][0]:
            return broken(
                entry.seq,
                f"hash differs from {expected[entry.seq][1]} (the chain was rewritten)",
            )
        keyed = keyed or entry.key_id is not None
        last_keyed = entry.key_id is not None
        prev_hash = entry.hash
        expected_seq += 1
        count += 1

    last_seq = expected_seq - 1
    head = AuditChainHead.objects.using(DB).filter(pk=1).first()
    missing = sorted(seq for seq in expected if seq > last_seq)
    if missing:
        return broken(
            missing[0],
            f"entry {missing[0]} recorded by {expected[missing[0]][1]} is missing "
            "(the end of the log was cut after the anchor was written)",
        )
    if count and not last_keyed:
        return broken(
            last_seq,
            "the log ends with unkeyed entries: written or recomputed without the key "
            "(or, right after upgrading, not sealed yet: `binhyen audit seal`)",
        )
    if head is None:
        if count:
            return broken(last_seq, "the chain head is missing")
    elif head.seq > last_seq:
        return broken(
            last_seq + 1,
            f"entries {last_seq + 1}..{head.seq} are missing (the end of the log was removed)",
        )
    elif head.seq < last_seq:
        return broken(
            head.seq + 1, f"entries after {head.seq} were appended outside the application"
        )
    elif head.hash != prev_hash:
        return broken(last_seq, "the last entry does not match the chain head")
    return VerifyResult(True, count, last_seq, prev_hash)


# --- keys and anchors ----------------------------------------------------------------------------


class AuditSealRefused(Exception):
    """The log ends with unkeyed entries although it was keyed before: it was rewritten."""


def audit_chain_seal() -> AuditEntry | None:
    """After upgrading to the keyed chain: sign a first keyed entry that names the last
    unkeyed one, so the older entries stay verifiable and nothing unkeyed may follow.
    Runs after every `binhyen migrate`; does nothing on an empty or already keyed log.

    Refused when the anchor file already holds anchors (they are only written once the
    log is keyed): a log that ends unkeyed then was rewritten without the key, and sealing
    it would bless the forgery."""
    with transaction.atomic(using=DB):
        last = AuditEntry.objects.using(DB).order_by("-seq").first()
        if last is None or last.key_id is not None:
            return None
        if anchors.read(settings.AUDIT_ANCHOR_FILE):
            raise AuditSealRefused(
                "the audit log ends with unkeyed entries although anchors show it was keyed "
                "before: it was rewritten without the key. Investigate; do not seal."
            )
        kid, _key = keys.current()
        entry = audit_record(
            action=AuditAction.AUDIT_CHAIN_KEYED,
            actor=None,
            summary="Bắt đầu ký nhật ký bằng khóa; các mục trước đó được ký kiểu cũ (không khóa)",
            details={"legacy_head": f"{last.seq}:{last.hash}", "key_id": kid},
        )
    audit_anchor_write()
    return entry


def seal_after_migrate(*, using: str = DB, **_signal: Any) -> None:
    """post_migrate: seal an upgraded log (see audit_chain_seal)."""
    if using == DB:
        audit_chain_seal()


def audit_anchor_write(now: datetime | None = None) -> str | None:
    """Append the current head to the anchor file and to the log; returns the line."""
    if not settings.AUDIT_ANCHOR_FILE:
        return None
    head = AuditChainHead.objects.using(DB).filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    kid, key = keys.current()
    line = anchors.append(
        settings.AUDIT_ANCHOR_FILE, at=now or timezone.now(), seq=head.seq, value=head.hash,
        key_id=kid, key=key,
    )  # fmt: skip
    anchor_log.info("audit anchor %s:%s (%s)", head.seq, head.hash, line.split(" ", 1)[0])
    return line


def audit_anchor_daily(now: datetime | None = None) -> bool:
    """Periodic: the day's first head goes to the anchor file and the log (once a day)."""
    if not settings.AUDIT_ANCHOR_FILE:
        return False
    now = now or timezone.now()
    last = anchors.last_at(settings.AUDIT_ANCHOR_FILE)
    if last is not None and timezone.localdate(last) >= timezone.localdate(now):
        return False
    return audit_anchor_write(now) is not None
