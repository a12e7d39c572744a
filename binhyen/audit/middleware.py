"""Attribute tapped permission changes (admin edits of memberships and flags) to the
signed-in staff member making the request.

Enable by adding "binhyen.audit.middleware.AuditContextMiddleware" to MIDDLEWARE after
AuthenticationMiddleware. Without it, such changes are still recorded, with no actor.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from binhyen.audit.services import audit_context


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The actor is resolved lazily from request.user when a tap fires.
        with audit_context(actor=None, request=request):
            return self.get_response(request)
