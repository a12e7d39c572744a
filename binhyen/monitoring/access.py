"""Who sees which monitoring figures, and who may remind or nominate.

Figures follow the case rule: a user sees the units of their subtrees (a commune its own,
province command the province). The cases behind a figure are additionally filtered by
`cases.access.cases_for_user`, and never show who the citizen is.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from binhyen.accounts.access import AnyUser, can_see_unit, roles_in, sees_everything
from binhyen.accounts.models import Role
from binhyen.units.models import Unit

COMMAND_ROLES = {Role.COMMAND, Role.ADMIN}


def get_unit_for_user(user: AnyUser, code: str) -> Unit:
    unit = get_object_or_404(Unit, code=code)
    if not can_see_unit(user, unit):
        raise Http404("Không tìm thấy đơn vị")
    return unit


def can_command(user: AnyUser, unit: Unit) -> bool:
    """Province command (or an administrator) above `unit`: may send reminders and nominate."""
    if sees_everything(user):
        return True
    return bool(roles_in(user, unit) & COMMAND_ROLES) and can_see_unit(user, unit)


def can_acknowledge(user: AnyUser, unit: Unit) -> bool:
    """The unit's commander (or command above) acknowledges a reminder sent to the unit."""
    if sees_everything(user):
        return True
    return bool(roles_in(user, unit) & {Role.COMMANDER, *COMMAND_ROLES})
