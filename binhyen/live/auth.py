"""Who is behind a live stream: the console's own Django session, checked the way Django
checks it (session hash included), then the user's memberships. Synchronous: the live
server runs it in a small thread pool."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.db import close_old_connections

from binhyen.accounts import sessions
from binhyen.accounts.access import Cap, roles_with
from binhyen.accounts.models import Membership
from binhyen.live.hub import Audience


class _SessionRequest:
    """Just enough of an HttpRequest for django.contrib.auth.get_user()."""

    def __init__(self, session: Any) -> None:
        self.session = session


def audience_for_session(session_key: str | None) -> Audience | None:
    if not session_key or len(session_key) > 64:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore(session_key)
    user = get_user(_SessionRequest(session))  # type: ignore[arg-type]
    if not user.is_authenticated or not user.is_active:
        return None
    # The console's own rules: idle and absolute limits, and the second factor.
    if sessions.expired(session) or not sessions.second_factor_done(session, user):
        return None
    # Only memberships whose role reads cases (an editor's or administrator's do not).
    memberships = tuple(
        Membership.objects.filter(
            user_id=user.pk, unit__is_active=True, role__in=roles_with(Cap.CASE_READ)
        )
        .values_list("unit__path", "role")
        .order_by("unit__path", "role")
    )
    return Audience(user_id=user.pk, superuser=user.is_superuser, memberships=memberships)


def audience_in_worker_thread(session_key: str | None) -> Audience | None:
    """audience_for_session for a long-lived pool thread: recycle its DB connection the
    way Django does around a request."""
    close_old_connections()
    try:
        return audience_for_session(session_key)
    finally:
        close_old_connections()
