"""Who may reveal, erase and export: Django permissions for the vault, unit visibility on top."""

from __future__ import annotations

from typing import TYPE_CHECKING

from binhyen.accounts.access import AnyUser, Cap, can_see_unit, has_cap

if TYPE_CHECKING:
    from binhyen.cases.models import Case
    from binhyen.units.models import Unit

REVEAL_PERMISSION = "vault.reveal_identity"
ERASE_PERMISSION = "vault.erase_identity"


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_reveal(user: AnyUser, case: Case) -> bool:
    return _active(user) and user.has_perm(REVEAL_PERMISSION) and can_see_unit(user, case.unit)


def can_erase(user: AnyUser, case: Case) -> bool:
    return _active(user) and user.has_perm(ERASE_PERMISSION) and can_see_unit(user, case.unit)


def can_export(user: AnyUser, unit: Unit) -> bool:
    # Roles holding Cap.CASE_EXPORT there (commanders, province command), or superusers.
    return _active(user) and has_cap(user, unit, Cap.CASE_EXPORT)
