"""Request types for views behind a sign-in."""

from __future__ import annotations

from django.http import HttpRequest

from binhyen.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that passed `login_required` (or the API's token/session auth): its user
    is a signed-in staff `User`, never `AnonymousUser`. Only a type; no runtime change."""

    user: User  # narrower than HttpRequest.user, by design
