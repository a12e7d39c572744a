"""Who may read which audit entries: the only way views reach the log.

Commanders, province command and administrators read the entries whose actor unit or
target unit (as recorded at the time) lies in a subtree where they hold one of those
roles; superusers read everything; nobody else reads anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from binhyen.accounts.access import AnyUser, Cap, roles_with, sees_everything
from binhyen.accounts.models import Membership
from binhyen.audit.models import AuditEntry
from binhyen.units.models import Unit

AUDIT_ROLES = tuple(roles_with(Cap.AUDIT_READ))


@dataclass(frozen=True)
class AuditScope:
    everything: bool
    paths: tuple[str, ...]  # unit subtrees (materialised paths) the user may audit

    def entries(self) -> QuerySet[AuditEntry]:
        if self.everything:
            return AuditEntry.objects.all()
        q = Q(pk__in=[])
        for path in self.paths:
            q |= Q(actor_unit_path__startswith=path) | Q(target_unit_path__startswith=path)
        return AuditEntry.objects.filter(q)

    def units(self) -> QuerySet[Unit]:
        if self.everything:
            return Unit.objects.all()
        q = Q(pk__in=[])
        for path in self.paths:
            q |= Q(path__startswith=path)
        return Unit.objects.filter(q)


def audit_scope_for(user: AnyUser) -> AuditScope:
    """Raises PermissionDenied for users who may not read the log at all."""
    if sees_everything(user):
        return AuditScope(everything=True, paths=())
    paths: set[str] = set()
    if user.is_authenticated and user.is_active:
        paths = set(
            Membership.objects.filter(
                user=user, role__in=AUDIT_ROLES, unit__is_active=True
            ).values_list("unit__path", flat=True)
        )
    if not paths:
        raise PermissionDenied("Bạn không có quyền xem nhật ký kiểm toán.")
    return AuditScope(everything=False, paths=tuple(sorted(paths)))


def entries_for_user(user: AnyUser) -> QuerySet[AuditEntry]:
    return audit_scope_for(user).entries()
