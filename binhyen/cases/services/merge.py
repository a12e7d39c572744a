"""Merging duplicate reports into one case, and undoing it.

A merged case keeps its own messages, reporter and history; it points at the case it was
merged into and leaves the open queues. The surviving case shows every merged thread, and
the reporters stay separate people (each with their own identity in the vault).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts.access import can_see_unit
from binhyen.audit.services import audit_record
from binhyen.cases.models import Case, CaseEvent, Status
from binhyen.cases.services.common import CaseError
from binhyen.cases.services.lifecycle import emit

if TYPE_CHECKING:
    from binhyen.accounts.models import User


@transaction.atomic
def case_merge(*, primary: Case, duplicate: Case, actor: User, reason: str = "") -> Case:
    primary = Case.objects.select_for_update().get(pk=primary.pk)
    duplicate = Case.objects.select_for_update().get(pk=duplicate.pk)
    if primary.pk == duplicate.pk:
        raise CaseError(_("Không thể gộp vụ việc vào chính nó."))
    if primary.merged_into_id or duplicate.merged_into_id:
        raise CaseError(_("Một trong hai vụ việc đã được gộp."))
    if not primary.is_open:
        raise CaseError(_("Vụ việc giữ lại phải đang mở."))
    if not (can_see_unit(actor, primary.unit) and can_see_unit(actor, duplicate.unit)):
        raise CaseError(_("Bạn không có quyền với một trong hai vụ việc."))
    now = timezone.now()
    previous = duplicate.status
    duplicate.merged_into = primary
    duplicate.status = Status.CLOSED if duplicate.intent != "tip" else Status.RESOLVED
    if duplicate.intent == "tip":
        duplicate.outcome = Case.Outcome.DUPLICATE
    duplicate.closed_at = now
    duplicate.save(update_fields=["merged_into", "status", "outcome", "closed_at"])
    CaseEvent.objects.create(
        case=duplicate,
        at=now,
        actor=actor,
        kind="merged_into",
        text=_("Gộp vào %(code)s") % {"code": primary.code} + (f": {reason}" if reason else ""),
        data={"primary": primary.pk, "previous_status": previous},
    )
    CaseEvent.objects.create(
        case=primary,
        at=now,
        actor=actor,
        kind="merged",
        text=_("Gộp tin trùng %(code)s vào vụ việc này") % {"code": duplicate.code}
        + (f": {reason}" if reason else ""),
        data={"duplicate": duplicate.pk},
    )
    emit("merged", duplicate=duplicate, primary=primary, at=now)
    audit_record(
        action="case.merge",
        actor=actor,
        target=primary,
        summary=f"{duplicate.code} → {primary.code}",
        details={"primary": primary.code, "duplicate": duplicate.code},
    )
    return primary


@transaction.atomic
def case_unmerge(*, duplicate: Case, actor: User, reason: str) -> Case:
    duplicate = Case.objects.select_for_update().get(pk=duplicate.pk)
    if duplicate.merged_into_id is None:
        raise CaseError(_("Vụ việc này không được gộp."))
    if not reason.strip():
        raise CaseError(_("Cần ghi rõ lý do tách."))
    if not can_see_unit(actor, duplicate.unit):
        raise CaseError(_("Bạn không có quyền với vụ việc này."))
    primary = duplicate.merged_into
    assert primary is not None
    merge_event = (
        CaseEvent.objects.filter(case=duplicate, kind="merged_into").order_by("-at", "-id").first()
    )
    previous = (merge_event.data.get("previous_status") if merge_event else None) or Status.RECEIVED
    now = timezone.now()
    duplicate.merged_into = None
    duplicate.status = previous
    duplicate.outcome = ""
    duplicate.closed_at = None
    duplicate.save(update_fields=["merged_into", "status", "outcome", "closed_at"])
    CaseEvent.objects.create(
        case=duplicate,
        at=now,
        actor=actor,
        kind="unmerged",
        text=_("Tách khỏi %(code)s: %(why)s") % {"code": primary.code, "why": reason},
        data={"primary": primary.pk},
    )
    CaseEvent.objects.create(
        case=primary,
        at=now,
        actor=actor,
        kind="unmerged",
        text=_("Tách %(code)s ra: %(why)s") % {"code": duplicate.code, "why": reason},
        data={"duplicate": duplicate.pk},
    )
    audit_record(
        action="case.unmerge",
        actor=actor,
        target=duplicate,
        summary=f"{duplicate.code} ⇠ {primary.code}",
        details={"primary": primary.code, "duplicate": duplicate.code},
    )
    return duplicate
