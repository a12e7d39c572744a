"""Raw HTTP calls to the simulator, so its wire format is tested without the client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

APP_ID = "1234567890123456789"
OA_ID = "2345678901234567890"
OA2_ID = "2345678901234567891"
USER_ID = "3456789012345678901"
FIXTURES = Path(__file__).resolve().parents[2] / "channels" / "zalo" / "tests" / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    """One of the Zalo payload fixtures (same app/OA/user ids as the tests' pages)."""
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def shape(value: object) -> object:
    """The shape of a JSON value: nested keys and value types, without the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # tests look at the 302 itself


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """(HTTP status, decoded JSON body or bytes, lower-case headers)."""
    url = base_url + path + ("?" + urlencode(query) if query else "")
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["access_token"] = token
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with _opener.open(req, timeout=5) as resp:
            status, content, got = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        status, content, got = exc.code, exc.read(), dict(exc.headers)
    lowered = {k.lower(): v for k, v in got.items()}
    if lowered.get("content-type", "").startswith("application/json"):
        return status, json.loads(content), lowered
    return status, content, lowered


def send_text(base_url: str, token: str, user_id: str, text: str) -> dict[str, Any]:
    _status, answer, _headers = call(
        base_url,
        "POST",
        "/v3.0/oa/message/cs",
        token=token,
        body={"recipient": {"user_id": user_id}, "message": {"text": text}},
    )
    return answer


def multipart(field: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = "----binhyen-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"
