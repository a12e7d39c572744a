"""Permission-checked reads of the knowledge base."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, QuerySet
from django.http import Http404

from binhyen.accounts.access import AnyUser, Cap, has_cap, has_cap_anywhere, unit_scope_q
from binhyen.knowledge.models import Procedure, Unanswered


def may_edit(user: AnyUser, procedure: Procedure | None = None) -> bool:
    if procedure is not None and procedure.owner_unit is not None:
        return has_cap(user, procedure.owner_unit, Cap.KNOWLEDGE_EDIT)
    return has_cap_anywhere(user, Cap.KNOWLEDGE_EDIT)


def may_approve(user: AnyUser, procedure: Procedure | None = None) -> bool:
    if procedure is not None and procedure.owner_unit is not None:
        return has_cap(user, procedure.owner_unit, Cap.KNOWLEDGE_APPROVE)
    return has_cap_anywhere(user, Cap.KNOWLEDGE_APPROVE)


def require_edit(user: AnyUser) -> None:
    if not may_edit(user):
        raise PermissionDenied("Vai trò của bạn không cho phép biên tập thủ tục.")


def procedure_to_edit(user: AnyUser, slug: str) -> Procedure:
    p = Procedure.objects.filter(slug=slug).first()
    if p is None:
        raise Http404("Không tìm thấy thủ tục")
    if not may_edit(user, p):
        raise PermissionDenied("Vai trò của bạn không cho phép biên tập thủ tục này.")
    return p


def published(slug: str) -> Procedure:
    p = Procedure.objects.filter(slug=slug, status=Procedure.Status.APPROVED).first()
    if p is None:
        raise Http404("Không tìm thấy thủ tục")
    return p


def unanswered_for(user: AnyUser) -> QuerySet[Unanswered]:
    """Open gaps in the units where the user may edit entries."""
    return Unanswered.objects.filter(
        unit_scope_q(user, prefix="unit__", cap=Cap.KNOWLEDGE_EDIT), resolved=False
    )


def unanswered_counts(user: AnyUser) -> list[dict[str, object]]:
    """Unanswered questions grouped by unit and by their folded wording, most asked first."""
    rows = (
        unanswered_for(user)
        .values("unit__name", "folded")
        .annotate(n=Count("pk"), first=Min("pk"))
        .order_by("-n", "unit__name", "folded")[:500]
    )
    return [dict(r) for r in rows]


def unanswered_to_resolve(user: AnyUser, pk: int) -> Unanswered:
    """An open unanswered question in a unit where the user may edit entries (else 404)."""
    row = unanswered_for(user).select_related("unit").filter(pk=pk).first()
    if row is None:
        raise Http404("Không tìm thấy câu hỏi")
    return row
