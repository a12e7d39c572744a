from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from binhyen.accounts import sessions


def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.mark_signed_in(request.session)
