"""Sign-in lockout (django-axes) for requests made by people."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes ships no types
    """django-axes' lockout check, for sign-ins that come with a request.

    Every sign-in form (the console's, the admin's) passes its request. `authenticate()`
    without one comes from code (the test client, a management command), never from a
    visitor: there is no source to count, so the lockout check steps aside instead of
    raising as axes does.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None


def client_ip(request: HttpRequest) -> str:
    """The sign-in source: the header named by BINHYEN_CLIENT_IP_HEADER behind a proxy
    (its left-most address), else REMOTE_ADDR."""
    header = getattr(settings, "TIPS_CLIENT_IP_HEADER", "")
    value = str(request.META.get(header, "") if header else "") or str(
        request.META.get("REMOTE_ADDR", "")
    )
    return value.split(",")[0].strip()[:45]
