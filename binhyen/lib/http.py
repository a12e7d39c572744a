"""The one way BinhYen talks HTTP to the outside world.

Every outbound call (Zalo API, media downloads, messenger notifications) goes through
`request()` or `download()`: bounded timeouts, bounded response sizes, a retry only where
the request certainly never left this machine, and logs that name the host and path but
never a query string or a body (both can carry tokens or a citizen's id).
Tests point these calls at local fake servers; nothing here knows about them.
"""

from __future__ import annotations

import json as jsonlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger("binhyen.http")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "BinhYen/0.1 (+https://github.com/binhyen)"


class HttpError(Exception):
    """An outbound call failed; `kind` says how, so callers can decide to retry."""

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # connect | timeout | too_large | blocked | status | protocol
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind in {"connect", "timeout"} or (
            self.kind == "status" and (self.status or 0) >= 500
        )


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    content: bytes
    elapsed_ms: float = 0.0
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise HttpError("protocol", f"invalid JSON from {_where(self.url)}") from exc

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


_client: httpx.Client | None = None


def _get_client() -> httpx.Client:
    global _client
    if _client is None:
        _client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            trust_env=False,
        )
    return _client


def _default_connect_retries() -> int:
    try:
        # deferred: lib is usable without Django configured (the benches, the CLI)
        from django.conf import settings

        return int(getattr(settings, "HTTP_CONNECT_RETRIES", 2))
    except Exception:  # settings not configured: a plain library call
        return 2


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '?'}{parts.path or '/'}"


def _host_allowed(host: str, allowed: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().strip()
        if not entry:
            continue
        if entry.startswith("."):
            if host.endswith(entry) or host == entry[1:]:
                return True
        elif host == entry:
            return True
    return False


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    files: Mapping[str, tuple[str, bytes, str]] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    connect_retries: int | None = None,
    allowed_hosts: Iterable[str] | None = None,
) -> Response:
    """Send one request and read at most `max_bytes` of the answer.

    Only connection failures are retried: the request never reached the peer, so
    retrying cannot send a message twice. Timeouts after sending are not retried here;
    the caller's own retry policy (e.g. the outbox) decides.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HttpError("blocked", f"refusing URL scheme/host for {_where(url)}")
    if connect_retries is None:
        connect_retries = _default_connect_retries()
    if allowed_hosts is not None and not _host_allowed(parts.hostname, allowed_hosts):
        raise HttpError("blocked", f"host not allowed: {parts.hostname}")

    attempt = 0
    while True:
        attempt += 1
        started = time.monotonic()
        try:
            with _get_client().stream(
                method,
                url,
                headers=dict(headers or {}),
                params=params,
                json=json,
                data=data,
                files=files,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            ) as resp:
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise HttpError(
                        "too_large", f"{_where(url)} declares {declared} bytes > {max_bytes}"
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise HttpError(
                            "too_large", f"{_where(url)} sent more than {max_bytes} bytes"
                        )
                    chunks.append(chunk)
                elapsed = (time.monotonic() - started) * 1000
                log.info(
                    "http %s %s -> %s in %.0f ms (%d bytes)",
                    method,
                    _where(url),
                    resp.status_code,
                    elapsed,
                    size,
                )
                return Response(
                    status=resp.status_code,
                    headers={k.lower(): v for k, v in resp.headers.items()},
                    content=b"".join(chunks),
                    elapsed_ms=elapsed,
                    url=url,
                )
        except httpx.ConnectError as exc:
            log.warning("http %s %s connect failed (attempt %d)", method, _where(url), attempt)
            if attempt > connect_retries:
                raise HttpError("connect", f"cannot connect to {_where(url)}") from exc
            time.sleep(min(0.2 * attempt, 1.0))
        except httpx.TimeoutException as exc:
            log.warning("http %s %s timed out", method, _where(url))
            raise HttpError("timeout", f"timeout talking to {_where(url)}") from exc
        except httpx.HTTPError as exc:
            log.warning("http %s %s failed: %s", method, _where(url), type(exc).__name__)
            raise HttpError("protocol", f"HTTP error with {_where(url)}") from exc


def download(
    url: str,
    *,
    max_bytes: int,
    allowed_hosts: Iterable[str],
    timeout: float = 30.0,
) -> Response:
    """GET a media file from an allowed host; non-2xx answers raise HttpError."""
    resp = request(
        "GET", url, timeout=timeout, max_bytes=max_bytes, allowed_hosts=list(allowed_hosts)
    )
    if not 200 <= resp.status < 300:
        raise HttpError("status", f"{_where(url)} answered {resp.status}", status=resp.status)
    return resp
