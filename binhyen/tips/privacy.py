"""What the public pages do differently: no cookies, no session, nothing about the client
kept or reported.

- No session and no CSRF cookie: forms carry signed tokens instead (a tipster's phone keeps
  no cookie of ours; the CSRF check would protect nothing here, as there is no ambient
  authority to abuse: every action needs the tip's own credentials or creates a new tip).
- `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, a strict CSP (our own files
  only, no third-party map tiles or fonts that would learn the citizen's address).
- Error reports (logs, e-mails to administrators) for these requests carry no request
  headers (so no IP or user agent), no form values, no file names and no local variables.
- Uploads are bounded before they are read, and lose their file names as they are parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest, HttpResponse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from django.views.decorators.csrf import csrf_exempt

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
_SAFE_META = {
    "REQUEST_METHOD",
    "PATH_INFO",
    "SCRIPT_NAME",
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "wsgi.url_scheme",
}


class CitizenReporterFilter(SafeExceptionReporterFilter):
    """Error reports about a citizen's request: method and path, nothing else about them."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_safe_request_meta(self, request: HttpRequest | None) -> dict[str, Any]:
        meta = getattr(request, "META", {}) or {}
        return {k: v for k, v in meta.items() if k in _SAFE_META}

    def get_safe_cookies(self, request: HttpRequest | None) -> dict[str, Any]:
        return {}

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return {k: self.cleansed_substitute for k in request.POST}

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class CitizenExceptionReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        hidden = CitizenReporterFilter.cleansed_substitute
        if self.request is not None:
            data["request_GET_items"] = [(k, hidden) for k in self.request.GET]
            data["request_FILES_items"] = [(k, hidden) for k in self.request.FILES]
            data["request_insecure_uri"] = self.request.path
        data["user_str"] = None
        return data


class BoundedUploadHandler(FileUploadHandler):
    """Stops reading an upload once the whole request's files pass `limit` bytes."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.total = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if self.total > self.limit:
            self.request.tips_upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class _Nameless:
    # The name a phone gives a file can carry a person's name or a date: it is dropped as
    # the upload is parsed, so no later code, log or error report ever holds it.
    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, "upload", *args, **kwargs)  # type: ignore[misc]


class NamelessMemoryUploadHandler(_Nameless, MemoryFileUploadHandler):
    pass


class NamelessTemporaryUploadHandler(_Nameless, TemporaryFileUploadHandler):
    pass


def bound_uploads(request: HttpRequest, limit: int) -> bool:
    """Call before touching request.POST/FILES. False when the body is already too big."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + 256 * 1024:
        return False
    request.upload_handlers = [
        BoundedUploadHandler(request, limit),
        NamelessMemoryUploadHandler(request),
        NamelessTemporaryUploadHandler(request),
    ]
    return True


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate every view a citizen reaches (web form, status page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.exception_reporter_filter = CitizenReporterFilter()
        request.exception_reporter_class = CitizenExceptionReporter
        request.sensitive_post_parameters = "__ALL__"  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, max-age=0"
        response["Referrer-Policy"] = "no-referrer"
        response["Content-Security-Policy"] = CSP
        response["X-Content-Type-Options"] = "nosniff"
        response.cookies.clear()
        return response

    return csrf_exempt(wrapped)
