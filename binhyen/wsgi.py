"""The WSGI application: the console's full middleware stack, and a lean one for webhooks.

A provider's webhook (`/webhooks/…`) carries no session, cookie or sign-in and answers JSON:
sessions, language, CSRF, authentication, the second factor, audit context, messages, staff
session limits, CSP and lockouts have nothing to do there, yet cost as much CPU as the view
itself (0.9 ms of 1.8 ms per event measured in-process). Webhooks run through
`WEBHOOK_MIDDLEWARE` only; every other path through `settings.MIDDLEWARE`.
"""

import os
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest
from django.urls import ResolverMatch, set_urlconf

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
console_application = get_wsgi_application()

WEBHOOK_PREFIX = "/webhooks/"
# HTTPS redirect and security headers still apply (docs/security.md).
WEBHOOK_MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]


class WebhookHandler(WSGIHandler):
    """Django's WSGI handler built with `WEBHOOK_MIDDLEWARE` instead of the console's.

    A webhook URL has no parameters, so its match is the same on every request: resolved
    once through the URLconf, then reused (a webhook burst does not walk the console's
    patterns for every event). Paths that do not resolve, or resolve with arguments, go
    through the URLconf every time.
    """

    _matches: dict[tuple[str | None, str, str], ResolverMatch]

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = WEBHOOK_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full
        self._matches = {}

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        key = (getattr(request, "urlconf", None), settings.ROOT_URLCONF, request.path_info)
        match = self._matches.get(key)
        if match is None:
            match = super().resolve_request(request)
            if not match.args and not match.kwargs and len(self._matches) < 16:
                self._matches[key] = match
            return match
        if key[0] is not None:
            set_urlconf(key[0])
        request.resolver_match = match
        return match


webhook_application = WebhookHandler()


def application(environ: dict[str, Any], start_response: Any) -> Any:
    if environ.get("PATH_INFO", "").startswith(WEBHOOK_PREFIX):
        return webhook_application(environ, start_response)
    return console_application(environ, start_response)
