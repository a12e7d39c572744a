from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from binhyen.accounts.access import Cap, has_cap_anywhere, home_unit


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    authed = user is not None and user.is_authenticated
    return {
        "home_unit": home_unit(user) if user is not None and authed else None,
        "can_audit": authed and has_cap_anywhere(user, Cap.AUDIT_READ),  # type: ignore[arg-type]
        "simulator_url": settings.SIMULATOR_URL,
        "environment": settings.ENVIRONMENT,
    }
