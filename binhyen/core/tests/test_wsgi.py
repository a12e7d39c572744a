"""The WSGI application runs webhooks through a lean middleware stack and everything else
through the console's: what the provider posts is stored as before, without sessions,
cookies, CSRF or sign-in work."""

from __future__ import annotations

import io
from typing import Any
from wsgiref.util import setup_testing_defaults

from binhyen.channels.models import InboundEvent
from binhyen.channels.zalo.signature import signature_header
from binhyen.fuzzing import in_process_wsgi
from binhyen.testing import encode, secret_of, zalo_event
from binhyen.wsgi import application


def _call(method: str, path: str, body: bytes = b"", **headers: str) -> tuple[str, dict, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
        **headers,
    }
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *exc: Any) -> None:
        answer["status"] = status
        answer["headers"] = {k.lower(): v for k, v in response_headers}

    with in_process_wsgi():
        chunks = application(environ, start_response)
        content = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], content


def test_a_signed_webhook_is_stored_through_the_lean_stack(world):
    payload = zalo_event("user_send_text", page=world.bmt_page)
    raw = encode(payload)
    sig = signature_header(
        app_id=payload["app_id"],
        raw_body=raw,
        timestamp=payload["timestamp"],
        oa_secret_key=secret_of(world.bmt_page),
    )
    status, headers, content = _call("POST", "/webhooks/zalo/", raw, HTTP_X_ZEVENT_SIGNATURE=sig)
    assert status.startswith("200"), content
    assert InboundEvent.objects.get().key == f"user_send_text:{payload['message']['msg_id']}"
    # No console middleware ran: no CSP, no Vary: Cookie (sessions), no X-Frame-Options.
    assert "content-security-policy" not in headers
    assert "cookie" not in headers.get("vary", "").lower()
    assert "x-frame-options" not in headers
    # ... but the security middleware did.
    assert headers.get("x-content-type-options") == "nosniff"


def test_a_forged_webhook_is_still_refused_through_the_lean_stack(world):
    raw = encode(zalo_event("user_send_text", page=world.bmt_page))
    status, _headers, _content = _call(
        "POST", "/webhooks/zalo/", raw, HTTP_X_ZEVENT_SIGNATURE="mac=" + "0" * 64
    )
    assert status.startswith("403")
    assert InboundEvent.objects.count() == 0


def test_console_pages_keep_the_full_middleware_stack(world):
    status, headers, _content = _call("GET", "/dang-nhap/")
    assert status.startswith("200")
    assert "content-security-policy" in headers
    assert "x-frame-options" in headers


def test_a_webhook_path_is_resolved_once_then_reused(world, monkeypatch):
    """The webhook URL has no parameters: the URLconf is walked for its first request only.
    A path that does not resolve is looked up (and refused) every time."""
    from django.core.handlers.base import BaseHandler

    from binhyen.channels.zalo.webhook import zalo_webhook
    from binhyen.wsgi import webhook_application

    monkeypatch.setattr(webhook_application, "_matches", {})
    walks: list[str] = []
    real = BaseHandler.resolve_request

    def counting(self, request):  # type: ignore[no-untyped-def]
        walks.append(request.path_info)
        return real(self, request)

    monkeypatch.setattr(BaseHandler, "resolve_request", counting)
    for _ in range(3):
        raw = encode(zalo_event("user_send_text", page=world.bmt_page))
        status, _headers, _content = _call("POST", "/webhooks/zalo/", raw)
        assert status.startswith("401")  # unsigned: the view ran
    assert walks == ["/webhooks/zalo/"]
    (match,) = webhook_application._matches.values()
    assert match.func is zalo_webhook
    for _ in range(2):
        status, _headers, _content = _call("POST", "/webhooks/khong-co/", b"{}")
        assert status.startswith("404")
    assert walks == ["/webhooks/zalo/", "/webhooks/khong-co/", "/webhooks/khong-co/"]
