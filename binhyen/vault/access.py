"""Who may reveal, erase and export: Django permissions for the vault, unit visibility on top."""

from __future__ import annotations

from typing import TYPE_CHECKING

from binhyen.accounts.access import AnyUser, can_see_unit, roles_in, sees_everything
from binhyen.accounts.models import Role

if TYPE_CHECKING:
    from binhyen.cases.models import Case
    from binhyen.units.models import Unit

REVEAL_PERMISSION = "vault.reveal_identity"
ERASE_PERMISSION = "vault.erase_identity"
# Roles that may export a unit's cases (and everything below it).
EXPORT_ROLES = {Role.COMMANDER, Role.COMMAND, Role.ADMIN}


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_reveal(user: AnyUser, case: Case) -> bool:
    return _active(user) and user.has_perm(REVEAL_PERMISSION) and can_see_unit(user, case.unit)


def can_erase(user: AnyUser, case: Case) -> bool:
    return _active(user) and user.has_perm(ERASE_PERMISSION) and can_see_unit(user, case.unit)


def can_export(user: AnyUser, unit: Unit) -> bool:
    if not _active(user):
        return False
    if sees_everything(user):
        return True
    return can_see_unit(user, unit) and bool(roles_in(user, unit) & {str(r) for r in EXPORT_ROLES})
