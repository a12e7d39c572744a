"""Write paths of the public doors: filing a tip, following it up, the held queue.

Reading a tip by code and password is `access.py`; what the citizen sees is `status.py`.

A tip from the web form or Open311 goes through the same case services as a Zalo message
(`message_receive` on the door's channel account, then `case_transfer(automatic=True)` to
the chosen commune), so triage, clocks and alerts apply unchanged. The citizen gets a tip
code and a password (shown once; only hashes are kept) to follow the tip and talk with the
officers anonymously. Contact details go to the vault, never anywhere else.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from binhyen.accounts.access import can_see_unit
from binhyen.accounts.models import User
from binhyen.cases import services as cases
from binhyen.cases.models import Attachment, Case, Contact, Message
from binhyen.channels.models import ChannelAccount, Provider
from binhyen.lib.media import CleanUpload
from binhyen.tips import places, quota, throttle
from binhyen.tips.access import TipError, code_hash, new_code, new_password, normalise_code
from binhyen.tips.models import Tip
from binhyen.tips.spam import HUMAN_REASONS, REASONS, URGENT_BYPASS_PER_HOUR
from binhyen.triage import engine
from binhyen.units.models import Unit
from binhyen.vault import services as vault
from binhyen.vault.store import identity_create

log = logging.getLogger(__name__)

MESSAGES_PER_HOUR = 20
DISCARDED_KEPT = timedelta(days=30)
MAX_HELD_FOLLOWUPS = 20


class TipRefused(TipError):
    """Not accepted at all (held storage over its quota): nothing kept, no code given."""


CATEGORY_LABELS = {
    "public_order": "Gây rối trật tự công cộng",
    "theft_robbery": "Trộm cắp, cướp",
    "drugs": "Ma túy",
    "gambling": "Cờ bạc",
    "fraud": "Lừa đảo",
    "loan_shark": "Tín dụng đen",
    "traffic": "Giao thông",
    "fire_rescue": "Cháy nổ, cứu nạn",
    "domestic_child": "Bạo lực gia đình, xâm hại trẻ em",
    "environment": "Môi trường, tài nguyên",
    "suspicious": "Đối tượng khả nghi",
    "other_crime": "Vi phạm pháp luật khác",
}
WHEN_LABELS = {
    "now": "Đang xảy ra",
    "recent": "Vừa xảy ra (trong khoảng một giờ)",
    "earlier": "Đã xảy ra trước đây",
}


# What the citizen reads on the status page, in plain words.
@dataclass(frozen=True)
class TipReport:
    """What the citizen reported, as the door parsed it (no identity in here)."""

    text: str
    category: str = ""
    when: str = ""
    occurred_at: datetime | None = None
    place: str = ""  # a picker value (see places.py)
    address: str = ""  # where it happened, in the citizen's words
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = True
    secrecy: bool = False
    service_code: str = ""
    details: tuple[tuple[str, str], ...] = ()  # extra (label, value) lines, e.g. Open311
    # Links to photos elsewhere (Open311 media_url): fetched and cleaned by the worker.
    media_urls: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat() if self.occurred_at else None
        data["details"] = [list(d) for d in self.details]
        data["media_urls"] = list(self.media_urls)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TipReport:
        data = dict(data)
        data["occurred_at"] = (
            parse_datetime(data["occurred_at"]) if data.get("occurred_at") else None
        )
        data["details"] = tuple(tuple(d) for d in data.get("details") or ())
        data["media_urls"] = tuple(data.get("media_urls") or ())
        return cls(**data)


@dataclass(frozen=True)
class TipReceipt:
    tip: Tip
    code: str  # shown once
    password: str  # shown once


# --- channel accounts ---------------------------------------------------------------------------


@transaction.atomic
def web_form_connect(*, unit: Unit, name: str | None = None) -> ChannelAccount:
    """The web form as a door of `unit` (usually the province). Idempotent."""
    account = ChannelAccount.objects.filter(provider=Provider.WEB, unit=unit).first()
    if account is None:
        account = ChannelAccount.objects.create(
            provider=Provider.WEB, unit=unit, name=name or f"Biểu mẫu web {unit.name}"
        )
    elif not account.is_active:
        account.is_active = True
        account.save(update_fields=["is_active"])
    return account


def web_form_account() -> ChannelAccount | None:
    return (
        ChannelAccount.objects.select_related("unit")
        .filter(provider=Provider.WEB, is_active=True)
        .order_by("unit__path", "pk")
        .first()
    )


# --- filing -------------------------------------------------------------------------------------


def compose_text(report: TipReport, placement: places.Placement, source: str) -> str:
    """The message officers read: the citizen's words first, then what the form asked."""
    lines = [report.text.strip(), ""]
    lines.append(
        "— Thông tin từ biểu mẫu web —" if source == Tip.Source.WEB else "— Thông tin từ Open311 —"
    )
    if report.category in CATEGORY_LABELS:
        lines.append(f"Loại việc (người báo tin chọn): {CATEGORY_LABELS[report.category]}")
    when = WHEN_LABELS.get(report.when, "")
    if report.occurred_at is not None:
        at = timezone.localtime(report.occurred_at)
        when = f"{when} — {at:%H:%M %d/%m/%Y}" if when else f"{at:%H:%M %d/%m/%Y}"
    if when:
        lines.append(f"Thời gian: {when}")
    if placement.label:
        place = placement.label
        if placement.unit is not None:
            place += f" → {placement.unit.name}"
        elif placement.candidates:
            place += f" (nay thuộc: {', '.join(placement.candidates)})"
        lines.append(f"Địa bàn: {place}")
    if report.address.strip():
        lines.append(f"Nơi xảy ra: {report.address.strip()}")
    if report.latitude is not None and report.longitude is not None:
        lines.append("Có vị trí đánh dấu trên bản đồ (xem ghim).")
    for label, value in report.details:
        lines.append(f"{label}: {value}")
    if report.anonymous:
        lines.append("Người báo tin: ẩn danh.")
    else:
        lines.append(
            "Người báo tin để lại thông tin liên hệ (trong kho danh tính)"
            + ("; đề nghị giữ bí mật danh tính." if report.secrecy else ".")
        )
    return "\n".join(lines).strip()[:6000]


def _store_held_files(
    tip: Tip, uploads: list[CleanUpload], client_key: str
) -> list[dict[str, str]]:
    """Store files of a held tip (or refuse them: quota.reserve) and count them on the tip."""
    size = sum(len(u.content) for u in uploads)
    try:
        quota.reserve(client_key=client_key, size=size)
    except quota.HeldStorageFull as exc:
        raise TipRefused(str(exc)) from exc
    entries = []
    for upload in uploads:
        name = default_storage.save(
            f"held/{secrets.token_hex(12)}{upload.extension}", ContentFile(upload.content)
        )
        entries.append(
            {
                "path": name,
                "kind": upload.kind,
                "content_type": upload.content_type,
                "extension": upload.extension,
                "size": str(len(upload.content)),
            }
        )
    if size:
        Tip.objects.filter(pk=tip.pk).update(held_bytes=F("held_bytes") + size)
    return entries


def _held_upload(entry: dict[str, str]) -> CleanUpload:
    with default_storage.open(entry["path"], "rb") as fh:
        content = fh.read()
    return CleanUpload(entry["kind"], content, entry["content_type"], entry["extension"])


def _delete_held_files(entries: list[dict[str, str]]) -> None:
    for entry in entries:
        path = entry.get("path", "")
        if path.startswith("held/"):
            default_storage.delete(path)


def _attach(message: Message, uploads: list[CleanUpload]) -> None:
    for upload in uploads:
        attachment = Attachment(
            message=message,
            token=secrets.token_hex(12),
            kind=upload.kind,
            # Never the citizen's file name: it can carry a name or a date.
            name=f"{upload.kind}{upload.extension}",
            size=len(upload.content),
            content_type=upload.content_type,
            status=Attachment.Status.STORED,
        )
        attachment.file.save(attachment.name, ContentFile(upload.content), save=False)
        attachment.save()


def _receive(
    tip: Tip,
    *,
    text: str,
    message_id: str,
    identity: dict[str, str] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    uploads: list[CleanUpload] | None = None,
    media_urls: tuple[str, ...] = (),
    anonymous: bool = False,
    secrecy: bool = False,
    case_code: str = "",
) -> Message | None:
    message = cases.message_receive(
        incoming=cases.IncomingMessage(
            channel_account=tip.channel_account,
            contact_key=tip.contact_key,
            contact_kind=Contact.Kind.WEB,
            provider_message_id=message_id,
            kind=Message.Kind.TEXT,
            text=text,
            sent_at=timezone.now(),
            identity=dict(identity or {}),
            latitude=latitude,
            longitude=longitude,
            attachments=[cases.IncomingAttachment(kind="image", url=u) for u in media_urls],
            is_anonymous=anonymous,
            secrecy_requested=secrecy,
            case_code=case_code,
        )
    )
    if message is not None and uploads:
        _attach(message, uploads)
    return message


def _route(case: Case, unit: Unit | None, reason: str) -> None:
    if unit is None or case.unit_id == unit.pk or not case.is_open:
        return
    try:
        cases.case_transfer(case=case, to_unit=unit, actor=None, reason=reason, automatic=True)
    except cases.CaseError:
        log.warning("tip routing to unit %s refused for case %s", unit.code, case.pk)


def _file(
    tip: Tip,
    report: TipReport,
    identity: dict[str, str],
    uploads: list[CleanUpload],
    followups: list[dict[str, Any]] | None = None,
    code: str = "",
) -> Case:
    placement = places.place_tip(
        channel_account=tip.channel_account,
        value=report.place,
        address=report.address,
        latitude=report.latitude,
        longitude=report.longitude,
    )
    message = _receive(
        tip,
        text=compose_text(report, placement, tip.source),
        message_id=f"tip-{tip.pk}-0",
        identity={} if report.anonymous else identity,
        latitude=report.latitude,
        longitude=report.longitude,
        uploads=uploads,
        media_urls=report.media_urls,
        anonymous=report.anonymous,
        secrecy=report.secrecy and not report.anonymous,
        case_code=code if code and not cases.code_taken(code) else "",
    )
    if message is None or message.case is None:
        raise TipError(_("Không ghi nhận được tin báo."))
    case = message.case
    vault.case_protection_set(
        case=case,
        actor=None,
        anonymous=report.anonymous,
        secrecy=report.secrecy and not report.anonymous,
    )
    if placement.unit is not None:
        _route(case, placement.unit, placement.reason)
    tip.case = case
    tip.state = Tip.State.FILED
    tip.unit = case.unit
    tip.held = None
    tip.held_identity = None
    tip.held_bytes = 0
    tip.save(update_fields=["case", "state", "unit", "held", "held_identity", "held_bytes"])
    for i, followup in enumerate(followups or [], start=1):
        _receive(
            tip,
            text=followup.get("text", ""),
            message_id=f"tip-{tip.pk}-held-{i}",
            uploads=[_held_upload(e) for e in followup.get("files", [])],
        )
    return case


@transaction.atomic
def tip_submit(
    *,
    channel_account: ChannelAccount,
    report: TipReport,
    identity: dict[str, str] | None = None,
    uploads: list[CleanUpload] | None = None,
    hold_reasons: list[str] | None = None,
    source: str = Tip.Source.WEB,
    client_key: str = "",
) -> TipReceipt:
    """File a citizen's tip (or hold it back for review). Returns the code and password,
    which are not stored anywhere in readable form. A held tip with files over the held
    storage quotas of `client_key` (the sender's rate-limit bucket) raises TipRefused."""
    if not report.text.strip():
        raise TipError(_("Hãy cho biết chuyện gì đã xảy ra."))
    identity = {} if report.anonymous else {k: v for k, v in (identity or {}).items() if v}
    uploads = list(uploads or [])
    code, password = new_code(), new_password()
    placement = places.place_tip(
        channel_account=channel_account,
        value=report.place,
        address=report.address,
        latitude=report.latitude,
        longitude=report.longitude,
    )
    tip = Tip.objects.create(
        code_hash=code_hash(code),
        password_hash=make_password(normalise_code(password)),
        source=source,
        state=Tip.State.HELD if hold_reasons else Tip.State.FILED,
        channel_account=channel_account,
        contact_key=f"tip:{secrets.token_hex(16)}",
        unit=placement.unit or channel_account.unit,
        place_label=placement.label[:300],
        service_code=report.service_code[:40],
        hold_reasons=list(hold_reasons or []),
    )
    if hold_reasons and _urgent_despite_hold(report, hold_reasons):
        # Possibly urgent: a held queue nobody watches at night must not sit on it. It is
        # filed now; the duty desk sees why it would have been held (timeline, alert).
        tip.state = Tip.State.FILED
        tip.save(update_fields=["state"])
        case = _file(tip, report, identity, uploads, code=code)
        cases.timeline_record(
            case=case,
            kind="held_urgent",
            text=(
                _("Nghi tin rác (%(why)s) nhưng máy đọc là tin khẩn: đưa thẳng vào hộp thư")
                % {"why": ", ".join(reason_text(r) for r in hold_reasons)}
            )[:500],
            data={"reasons": list(hold_reasons)},
        )
    elif hold_reasons:
        tip.held = {
            "report": report.to_json(),
            "files": _store_held_files(tip, uploads, client_key),
            "followups": [],
            # Kept (encrypted, like the report) so that the case opened on release takes
            # the code the citizen was given.
            "code": code,
        }
        tip.held_identity = identity_create(data=identity) if identity else None
        tip.save(update_fields=["held", "held_identity"])
    else:
        _file(tip, report, identity, uploads, code=code)
    return TipReceipt(tip=tip, code=code, password=password)


def _urgent_despite_hold(report: TipReport, reasons: list[str]) -> bool:
    """Whether a tip held for reasons a person can trigger reads as an urgent tip (critical
    or high), within the hourly allowance of such tips."""
    if not set(reasons) <= HUMAN_REASONS:
        return False
    result = engine.read(engine.active_triager(), [report.text])
    if result.intent != "tip" or result.urgency not in ("critical", "high"):
        return False
    return throttle.hit("held-urgent", "all", 3600) <= URGENT_BYPASS_PER_HOUR


# --- the held queue -------------------------------------------------------------------------------


@transaction.atomic
def tip_release(*, tip: Tip, actor: User) -> Case:
    """An officer lets a held (or discarded, not yet purged) tip into the inbox."""

    tip = Tip.objects.select_for_update().select_related("channel_account__unit").get(pk=tip.pk)
    if not can_see_unit(actor, tip.unit):
        raise TipError(_("Bạn không có quyền với tin này."))
    if tip.state == Tip.State.FILED or not tip.held:
        raise TipError(_("Tin này không còn trong hàng chờ."))
    held = dict(tip.held)
    report = TipReport.from_json(held["report"])
    identity_row = tip.held_identity
    identity = dict(identity_row.data or {}) if identity_row is not None else {}
    uploads = [_held_upload(e) for e in held.get("files", [])]
    reasons = ", ".join(reason_text(r) for r in tip.hold_reasons)
    case = _file(
        tip, report, identity, uploads, held.get("followups", []), code=str(held.get("code", ""))
    )
    if identity_row is not None:
        identity_row.delete()  # copied into the contact's own vault entry
    _delete_held_files(held.get("files", []))
    for followup in held.get("followups", []):
        _delete_held_files(followup.get("files", []))
    tip.reviewed_at = timezone.now()
    tip.reviewed_by = actor
    tip.save(update_fields=["reviewed_at", "reviewed_by"])
    cases.timeline_record(
        case=case,
        actor=actor,
        kind="tip_released",
        text=(
            _("%(who)s cho tin bị tạm giữ vào hộp thư (lý do giữ: %(why)s)")
            % {"who": actor, "why": reasons or "—"}
        )[:500],
    )
    return case


def reason_text(code: str) -> str:

    return str(REASONS.get(code, code))


@transaction.atomic
def tip_discard(*, tip: Tip, actor: User, note: str = "") -> Tip:
    """Spam: out of the queue. Kept (restorable) for 30 days, then purged."""

    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if not can_see_unit(actor, tip.unit):
        raise TipError(_("Bạn không có quyền với tin này."))
    if tip.state != Tip.State.HELD:
        raise TipError(_("Tin này không còn trong hàng chờ."))
    tip.state = Tip.State.DISCARDED
    tip.reviewed_at = timezone.now()
    tip.reviewed_by = actor
    tip.review_note = note.strip()[:300]
    tip.held = _without_files(tip.held)
    tip.held_bytes = 0
    tip.save(
        update_fields=["state", "reviewed_at", "reviewed_by", "review_note", "held", "held_bytes"]
    )
    return tip


def _without_files(held: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a discarded tip keeps (restorable for 30 days): the words, not the files, which
    are deleted at once (files are what fills the disk)."""
    if not held:
        return held
    held = dict(held)
    removed = len(held.get("files", []))
    _delete_held_files(held.get("files", []))
    followups = []
    for followup in held.get("followups", []):
        removed += len(followup.get("files", []))
        _delete_held_files(followup.get("files", []))
        followups.append({**followup, "files": []})
    held["files"], held["followups"] = [], followups
    held["files_deleted"] = int(held.get("files_deleted", 0)) + removed
    return held


@transaction.atomic
def tips_purge(*, older_than: timedelta = DISCARDED_KEPT) -> int:
    """Delete what discarded tips held (text, files, contact details) after the grace time."""
    cutoff = timezone.now() - older_than
    n = 0
    for tip in Tip.objects.filter(state=Tip.State.DISCARDED, reviewed_at__lt=cutoff).exclude(
        held=None
    ):
        held = dict(tip.held or {})
        _delete_held_files(held.get("files", []))
        for followup in held.get("followups", []):
            _delete_held_files(followup.get("files", []))
        if tip.held_identity is not None:
            tip.held_identity.delete()
        tip.held = None
        tip.held_identity = None
        tip.held_bytes = 0
        tip.save(update_fields=["held", "held_identity", "held_bytes"])
        n += 1
    return n


def held_orphans_purge(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete files under held/ that no tip refers to (left by a request that failed after
    storing them), once they are older than any request could be."""
    if not default_storage.exists("held"):
        return 0
    referenced = set()
    for held in Tip.objects.exclude(held=None).values_list("held", flat=True).iterator():
        for entry in (held or {}).get("files", []):
            referenced.add(entry.get("path", ""))
        for followup in (held or {}).get("followups", []):
            referenced.update(e.get("path", "") for e in followup.get("files", []))
    cutoff = timezone.now() - older_than
    n = 0
    for name in default_storage.listdir("held")[1]:
        path = f"held/{name}"
        if path not in referenced and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            n += 1
    return n


_ORPHAN_SWEEP_SECONDS = 600.0
_next_orphan_sweep = 0.0


def held_orphans_sweep() -> int:
    """Periodic (the worker ticks every 15 s): `held_orphans_purge` every 10 minutes."""
    global _next_orphan_sweep
    now = time.monotonic()
    if now < _next_orphan_sweep:
        return 0
    _next_orphan_sweep = now + _ORPHAN_SWEEP_SECONDS
    return held_orphans_purge()


@transaction.atomic
def tip_viewed(*, tip: Tip) -> None:
    """The citizen opened their status page: an interaction with the door (keeps officers
    able to answer, as following a page does on Zalo)."""
    if tip.state == Tip.State.FILED and tip.case is not None:
        cases.contact_interaction(
            channel_account=tip.channel_account,
            contact_key=tip.contact_key,
            kind=Contact.Kind.WEB,
            at=timezone.now(),
        )


@transaction.atomic
def tip_message_send(
    *,
    tip: Tip,
    text: str,
    nonce: str,
    uploads: list[CleanUpload] | None = None,
    client_key: str = "",
) -> None:
    """The citizen writes to the officers from the status page. Idempotent on `nonce`
    (a page reloaded after sending does not send twice). Files for a held tip count
    against the held storage quotas of `client_key` (TipRefused past them)."""
    text = text.strip()
    uploads = list(uploads or [])
    if not text and not uploads:
        raise TipError(_("Tin nhắn đang trống."))
    if throttle.hit("tip-msg", str(tip.pk), 3600) > MESSAGES_PER_HOUR:
        raise TipError(_("Bạn đã gửi nhiều tin nhắn trong một giờ; hãy thử lại sau."))
    nonce = "".join(ch for ch in nonce if ch.isalnum())[:32] or secrets.token_hex(8)
    Tip.objects.select_for_update().filter(pk=tip.pk).values_list("pk").get()
    tip = Tip.objects.select_related("case", "channel_account__unit").get(pk=tip.pk)
    if tip.state == Tip.State.DISCARDED:
        raise TipError(_("Tin này không được tiếp nhận; hãy gửi tin báo mới."))
    if tip.state == Tip.State.HELD:
        held = dict(tip.held or {})
        followups = list(held.get("followups", []))
        if any(f.get("nonce") == nonce for f in followups):
            return
        if len(followups) >= MAX_HELD_FOLLOWUPS:
            raise TipError(_("Bạn đã gửi nhiều tin nhắn; hãy chờ cán bộ xem xét."))
        followups.append(
            {
                "nonce": nonce,
                "text": text[:5000],
                "at": timezone.now().isoformat(),
                "files": _store_held_files(tip, uploads, client_key),
            }
        )
        held["followups"] = followups
        tip.held = held
        tip.save(update_fields=["held"])
        return
    message = _receive(tip, text=text[:5000], message_id=f"tip-{tip.pk}-{nonce}", uploads=uploads)
    if message is None or message.case is None or tip.case is None:
        return
    if message.case.pk != tip.case.pk and message.case.unit_id != tip.case.unit_id:
        # The tip was closed and this message opened a new case: send it where the tip went.
        _route(
            message.case,
            tip.case.unit,
            f"Người báo tin nhắn tiếp về tin báo {tip.case.code} đã kết thúc",
        )
