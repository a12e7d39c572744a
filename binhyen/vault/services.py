"""Write and system-read paths of the identity vault, and the audited reads for officers.

Every path that shows an identity to a person (`identity_reveal`), forgets one
(`identity_erase`, `identity_erase_request`) or marks a case as protected
(`case_protection_set`) is here, writes its case timeline entry and its audit entry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.accounts.access import can_see_unit
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.audit.services import audit_record
from binhyen.cases.models import Case as CaseModel
from binhyen.cases.models import Contact
from binhyen.cases.services.common import timeline_record
from binhyen.lib import crypto
from binhyen.vault.access import can_erase, can_reveal
from binhyen.vault.models import Identity
from binhyen.vault.store import VaultError as VaultError
from binhyen.vault.store import identity_erase

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case

REASON_MIN_CHARS = 10
# One "viewed a protected case" entry per officer and case in this window (page reloads).
SENSITIVE_VIEW_WINDOW = timedelta(minutes=10)

# How identity fields are labelled when revealed (unknown keys are shown as they are).
FIELD_LABELS: dict[str, Any] = {
    "name": gettext_lazy("Họ và tên"),
    "first_name": gettext_lazy("Tên"),
    "last_name": gettext_lazy("Họ"),
    "phone": gettext_lazy("Số điện thoại"),
    "email": gettext_lazy("Thư điện tử"),
    "address": gettext_lazy("Địa chỉ"),
    "user_address": gettext_lazy("Địa chỉ"),
    "user_ward": gettext_lazy("Xã/phường"),
    "user_district": gettext_lazy("Quận/huyện"),
    "user_city": gettext_lazy("Tỉnh/thành phố"),
    "ward": gettext_lazy("Xã/phường"),
    "district": gettext_lazy("Quận/huyện"),
    "city": gettext_lazy("Tỉnh/thành phố"),
    "user_dob": gettext_lazy("Ngày sinh"),
    "gender": gettext_lazy("Giới tính"),
    "zalo_user_id": gettext_lazy("Mã người dùng Zalo (theo trang)"),
    "zalo_user_id_by_app": gettext_lazy("Mã người dùng Zalo (theo ứng dụng)"),
    "zalo_anonymous_id": gettext_lazy("Mã ẩn danh Zalo"),
    "zalo_conversation_id": gettext_lazy("Mã hội thoại Zalo"),
    "zalo_oa_id": gettext_lazy("Trang Zalo (OA ID)"),
    "device_id": gettext_lazy("Mã thiết bị (ứng dụng đối tác)"),
    "account_id": gettext_lazy("Mã tài khoản (ứng dụng đối tác)"),
}


# --- what officers may do -----------------------------------------------------------------------


@dataclass(frozen=True)
class RevealedIdentity:
    pseudonym: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    erased_at: datetime | None = None


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN_CHARS:
        raise VaultError(_("Cần ghi rõ lý do (ít nhất %(n)d ký tự).") % {"n": REASON_MIN_CHARS})
    return reason[:300]


def _labelled(data: dict[str, Any]) -> list[tuple[str, str]]:
    order = list(FIELD_LABELS)
    keys = sorted(data, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(str(FIELD_LABELS.get(k, k)), str(data[k])) for k in keys if data[k] not in ("", None)]


def _case_event(case: Case, *, kind: str, text: str, actor: User | None) -> None:

    timeline_record(case=case, actor=actor, kind=kind, text=text)


@transaction.atomic
def identity_reveal(
    *, case: Case, actor: User, reason: str, request: HttpRequest | None = None
) -> RevealedIdentity:
    """Show an officer who reported this case: permission, unit and a reason, always audited."""

    if not can_reveal(actor, case):
        raise VaultError(_("Bạn không có quyền xem danh tính người báo tin của vụ việc này."))
    reason = _clean_reason(reason)
    contact = case.contact
    identity = contact.identity if contact is not None else None
    data = dict(identity.data or {}) if identity is not None and not identity.is_erased else {}
    _case_event(
        case,
        kind="identity_revealed",
        actor=actor,
        text=_("%(who)s xem danh tính người báo tin. Lý do: %(why)s")
        % {"who": actor, "why": reason},
    )
    audit_record(
        action=AuditAction.IDENTITY_REVEAL,
        actor=actor,
        target=case,
        summary=f"Xem danh tính người báo tin vụ {case.code}",
        details={
            "case_code": case.code,
            "reason": reason,
            "fields": sorted(data),
            "protected": case.is_protected,
            "erased": bool(identity is not None and identity.is_erased),
        },
        request=request,
    )
    return RevealedIdentity(
        pseudonym=contact.pseudonym if contact is not None else "",
        fields=_labelled(data),
        erased_at=identity.erased_at if identity is not None else None,
    )


@transaction.atomic
def case_protection_set(
    *,
    case: Case,
    actor: User | None,
    anonymous: bool = False,
    secrecy: bool = False,
    reason: str = "",
) -> Case:
    """Mark a case as anonymous and/or as one whose tipster asked for secrecy.

    Protection is only ever added: a promise of secrecy made to a citizen is not withdrawn
    from the console. With no actor, the door the tip came through asks for it (web form).
    """

    if actor is not None and not can_see_unit(actor, case.unit):
        raise VaultError(_("Bạn không có quyền với vụ việc này."))
    changes: dict[str, bool] = {}
    if anonymous and not case.is_anonymous:
        changes["is_anonymous"] = True
    if secrecy and not case.secrecy_requested:
        changes["secrecy_requested"] = True
    if not changes:
        return case
    CaseModel.objects.filter(pk=case.pk).update(**changes)
    for name, value in changes.items():
        setattr(case, name, value)
    what = []
    if "is_anonymous" in changes:
        what.append(_("người báo tin ẩn danh"))
    if "secrecy_requested" in changes:
        what.append(_("người báo tin yêu cầu giữ bí mật danh tính"))
    text = _("Bảo vệ người báo tin: %(what)s") % {"what": ", ".join(str(w) for w in what)}
    if reason:
        text += f" ({reason})"
    _case_event(case, kind="protection", actor=actor, text=text)
    return case


@transaction.atomic
def identity_erase_request(
    *, case: Case, actor: User, reason: str, request: HttpRequest | None = None
) -> Identity | None:
    """An administrator carries out a citizen's request to delete their identity data.

    The vault entry is emptied (the case keeps its pseudonym, messages and timeline), the
    contact's blind index is replaced so that nothing links that person to this contact
    any more, and every case of the contact says so.
    """

    if not can_erase(actor, case):
        raise VaultError(_("Bạn không có quyền xóa danh tính người báo tin của vụ việc này."))
    reason = _clean_reason(reason)
    contact = case.contact
    if contact is None or contact.identity is None:
        raise VaultError(_("Vụ việc này không có danh tính nào trong kho."))
    identity = contact.identity
    if identity.is_erased:
        raise VaultError(_("Danh tính này đã được xóa."))
    if contact.kind != Contact.Kind.WEB:
        # Zalo contacts are found again by a keyed hash of the Zalo id: cut that link too
        # (web contacts are keyed by a random token that identifies nobody).
        Contact.objects.filter(pk=contact.pk).update(
            key_hash=crypto.lookup_hash("erased", secrets.token_hex(16))
        )
    for other in CaseModel.objects.filter(contact__identity=identity):
        _case_event(
            other,
            kind="identity_erased",
            actor=actor,
            text=_("Danh tính người báo tin đã được xóa theo yêu cầu. Lý do: %(why)s")
            % {"why": reason},
        )
    return identity_erase(
        identity=identity,
        actor=actor,
        reason=reason,
        source="admin_request",
        unit=case.unit,
        request=request,
    )


@transaction.atomic
def case_view_record(*, case: Case, user: User, request: HttpRequest | None = None) -> bool:
    """Record that an officer opened a protected case (once per window). True if recorded."""

    if not case.is_protected or not getattr(user, "is_authenticated", False):
        return False
    recent = AuditEntry.objects.filter(
        action=AuditAction.CASE_VIEW_SENSITIVE,
        actor_id=user.pk,
        target_type="cases.case",
        target_id=str(case.pk),
        at__gte=timezone.now() - SENSITIVE_VIEW_WINDOW,
    ).exists()
    if recent:
        return False
    audit_record(
        action=AuditAction.CASE_VIEW_SENSITIVE,
        actor=user,
        target=case,
        summary=f"Xem vụ việc có người báo tin được bảo vệ {case.code}",
        details={"case_code": case.code},
        request=request,
    )
    return True
