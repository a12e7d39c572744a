from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from binhyen.accounts.access import home_unit


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "home_unit": home_unit(user) if user is not None and user.is_authenticated else None,
        "simulator_url": settings.SIMULATOR_URL,
        "environment": settings.ENVIRONMENT,
    }
