from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from binhyen.accounts.access import home_unit
from binhyen.accounts.models import Membership, Role


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    authed = user is not None and user.is_authenticated
    return {
        "home_unit": home_unit(user) if user is not None and authed else None,
        "can_audit": authed and _can_audit(user),
        "simulator_url": settings.SIMULATOR_URL,
        "environment": settings.ENVIRONMENT,
    }


def _can_audit(user: Any) -> bool:

    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        user=user, role__in=[Role.COMMANDER, Role.COMMAND, Role.ADMIN]
    ).exists()
