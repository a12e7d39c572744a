"""Outbound calls to the Zalo OA API (zalo-oa.md §3-§5).

Plain Python: no models, no settings. The caller passes the base URLs (real Zalo or the
local simulator) and the OA's current access token, and decides what to do with a
`ZaloApiError` from its `kind`: refresh the token and retry once (TOKEN), retry later
(RETRY), give up on this citizen for now (WINDOW), alert an administrator (CONFIG, QUOTA)
or drop the message (INVALID, UNKNOWN).

Every call goes through `binhyen.lib.http.request`, which logs host and path only. Nothing
here logs: tokens, user ids and message bodies are identity data.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from binhyen.lib.http import HttpError, request

TEXT_LIMIT = 2000
IMAGE_MAX_BYTES = 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
FILE_MAX_BYTES = 5 * 1024 * 1024
FILE_EXTENSIONS = frozenset({"pdf", "doc", "docx", "csv"})


class ZaloErrorKind(StrEnum):
    TOKEN = "token"  # noqa: S105 (a kind name, not a secret) - refresh once, then retry
    RETRY = "retry"  # rate limit, expired upload, Zalo or network trouble: try again later
    WINDOW = "window"  # the citizen cannot be reached now (7-day window, blocked, ...)
    CONFIG = "config"  # app/OA set-up or authorisation is wrong: a human must act
    QUOTA = "quota"  # feature quota or billing exhausted: stop and alert
    INVALID = "invalid"  # our request is wrong: retrying cannot help
    UNKNOWN = "unknown"


_KIND_BY_CODE: dict[int, ZaloErrorKind] = {
    **dict.fromkeys((-216, -220, -124), ZaloErrorKind.TOKEN),
    **dict.fromkeys((-32, -100), ZaloErrorKind.RETRY),
    **dict.fromkeys((-213, -217, -227, -230, -232, -234, -244, -218), ZaloErrorKind.WINDOW),
    **dict.fromkeys((-209, -212, -223, -242, -240, -14003), ZaloErrorKind.CONFIG),
    **dict.fromkeys((-211, -320, -321), ZaloErrorKind.QUOTA),
    -201: ZaloErrorKind.INVALID,
}


def classify_error(code: int) -> ZaloErrorKind:
    """Map a Zalo `error` code to what the caller should do (zalo-oa.md §3.4)."""
    return _KIND_BY_CODE.get(code, ZaloErrorKind.UNKNOWN)


class ZaloApiError(Exception):
    """A Zalo call failed. `code` is Zalo's `error` (0 when the failure was HTTP-level).

    `transport` names the HttpError kind when no Zalo answer was read (e.g. "timeout"):
    after a timeout the message may still have been delivered, so a caller that retries
    should expect (and dedupe) the `oa_send_*` echo.
    """

    def __init__(
        self,
        code: int,
        message: str,
        *,
        kind: ZaloErrorKind | None = None,
        http_status: int | None = None,
        transport: str | None = None,
    ) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message
        self.kind = kind if kind is not None else classify_error(code)
        self.http_status = http_status
        self.transport = transport

    @property
    def retryable(self) -> bool:
        # TOKEN is retryable too, but only after the caller refreshed the token.
        return self.kind is ZaloErrorKind.RETRY

    @property
    def needs_token_refresh(self) -> bool:
        return self.kind is ZaloErrorKind.TOKEN


@dataclass
class SendResult:
    message_id: str
    quota_type: str | None  # "reply" = free inside 48 h; None = a billed message
    raw: dict[str, Any]


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds; Zalo sends it as a string ("90000")


class ZaloClient:
    def __init__(
        self,
        *,
        openapi_url: str = "https://openapi.zalo.me",
        oauth_url: str = "https://oauth.zaloapp.com",
        timeout: float = 10.0,
    ) -> None:
        self.openapi_url = openapi_url.rstrip("/")
        self.oauth_url = oauth_url.rstrip("/")
        self.timeout = timeout

    # --- messages ------------------------------------------------------------------------

    def send_text(
        self,
        *,
        access_token: str,
        user_id: str,
        text: str,
        quote_message_id: str | None = None,
    ) -> SendResult:
        message: dict[str, Any] = {"text": _checked_text(text)}
        if quote_message_id:
            # Sent as quote_message_id; webhooks call the same thing quote_msg_id.
            message["quote_message_id"] = quote_message_id
        return self._send_cs(access_token, user_id, message)

    def send_image(
        self,
        *,
        access_token: str,
        user_id: str,
        attachment_id: str,
        caption: str | None = None,
    ) -> SendResult:
        message: dict[str, Any] = {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "media",
                    "elements": [{"media_type": "image", "attachment_id": attachment_id}],
                },
            }
        }
        if caption:
            message["text"] = _checked_text(caption)
        return self._send_cs(access_token, user_id, message)

    def send_file(self, *, access_token: str, user_id: str, file_token: str) -> SendResult:
        message = {"attachment": {"type": "file", "payload": {"token": file_token}}}
        return self._send_cs(access_token, user_id, message)

    def send_anonymous_text(
        self, *, access_token: str, anonymous_id: str, conversation_id: str, text: str
    ) -> SendResult:
        body = {
            "recipient": {"anonymous_id": anonymous_id, "conversation_id": conversation_id},
            "message": {"text": _checked_text(text)},
        }
        data = self._call("POST", "/v2.0/oa/message", access_token=access_token, json=body)
        return _send_result(data)

    def _send_cs(self, access_token: str, user_id: str, message: dict[str, Any]) -> SendResult:
        body = {"recipient": {"user_id": user_id}, "message": message}
        data = self._call("POST", "/v3.0/oa/message/cs", access_token=access_token, json=body)
        return _send_result(data)

    # --- uploads -------------------------------------------------------------------------

    def upload_image(
        self, *, access_token: str, content: bytes, filename: str, content_type: str
    ) -> str:
        """Upload a jpg/png (≤ 1 MB) and return its attachment_id (kept by Zalo 7 days)."""
        if content_type.lower() not in IMAGE_TYPES:
            raise ZaloApiError(-201, "image must be JPEG or PNG", kind=ZaloErrorKind.INVALID)
        if len(content) > IMAGE_MAX_BYTES:
            raise ZaloApiError(-201, "image larger than 1 MB", kind=ZaloErrorKind.INVALID)
        data = self._call(
            "POST",
            "/v2.0/oa/upload/image",
            access_token=access_token,
            files={"file": (filename, content, content_type)},
        )
        return _required_str(data, "attachment_id")

    def upload_file(
        self, *, access_token: str, content: bytes, filename: str, content_type: str
    ) -> str:
        """Upload a PDF/DOC/DOCX/CSV (≤ 5 MB) and return the token to send it with."""
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in FILE_EXTENSIONS:
            raise ZaloApiError(
                -201, "file must be PDF, DOC, DOCX or CSV", kind=ZaloErrorKind.INVALID
            )
        if len(content) > FILE_MAX_BYTES:
            raise ZaloApiError(-201, "file larger than 5 MB", kind=ZaloErrorKind.INVALID)
        data = self._call(
            "POST",
            "/v2.0/oa/upload/file",
            access_token=access_token,
            files={"file": (filename, content, content_type)},
        )
        return _required_str(data, "token")

    # --- OAuth ---------------------------------------------------------------------------

    def refresh_access_token(
        self, *, app_id: str, app_secret_key: str, refresh_token: str
    ) -> TokenPair:
        """Trade a (single-use) refresh token for a new pair.

        Any refusal other than a retryable one is reported as CONFIG: Zalo documents no
        "refresh token expired" code, and every refusal means an OA admin must grant
        access again (zalo-oa.md §3.4, §4).
        """
        return self._token_call(
            app_secret_key,
            {"refresh_token": refresh_token, "app_id": app_id, "grant_type": "refresh_token"},
        )

    def exchange_code(
        self, *, app_id: str, app_secret_key: str, code: str, code_verifier: str | None = None
    ) -> TokenPair:
        """Trade the `code` from the OA permission redirect for the first token pair."""
        form = {"code": code, "app_id": app_id, "grant_type": "authorization_code"}
        if code_verifier:
            form["code_verifier"] = code_verifier
        return self._token_call(app_secret_key, form)

    def _token_call(self, app_secret_key: str, form: dict[str, str]) -> TokenPair:
        try:
            body = self._call_raw(
                "POST",
                f"{self.oauth_url}/v4/oa/access_token",
                headers={"secret_key": app_secret_key},
                data=form,
            )
        except ZaloApiError as exc:
            if exc.kind is not ZaloErrorKind.RETRY:
                exc.kind = ZaloErrorKind.CONFIG
            raise
        try:
            return TokenPair(
                access_token=str(body["access_token"]),
                refresh_token=str(body["refresh_token"]),
                expires_in=int(body["expires_in"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ZaloApiError(
                0,
                "token answer without access_token/refresh_token/expires_in",
                kind=ZaloErrorKind.CONFIG,
            ) from exc

    # --- reads ---------------------------------------------------------------------------

    def get_user_detail(self, *, access_token: str, user_id: str) -> dict[str, Any]:
        # Zalo takes GET parameters as one URL-encoded JSON document named `data`.
        params = {"data": json.dumps({"user_id": user_id})}
        return self._call("GET", "/v3.0/oa/user/detail", access_token=access_token, params=params)

    def get_quota(self, *, access_token: str, user_id: str) -> dict[str, Any]:
        return self._call(
            "POST", "/v3.0/oa/quota/message", access_token=access_token, json={"user_id": user_id}
        )

    def get_oa(self, *, access_token: str) -> dict[str, Any]:
        return self._call("GET", "/v2.0/oa/getoa", access_token=access_token)

    def get_conversation(
        self, *, access_token: str, user_id: str, offset: int = 0, count: int = 10
    ) -> list[dict[str, Any]]:
        """Recent messages with one citizen, newest first (Zalo serves at most 10 a call)."""
        params = {
            "data": json.dumps({"user_id": user_id, "offset": offset, "count": min(count, 10)})
        }
        data = self._call_any(
            "GET", "/v2.0/oa/conversation", access_token=access_token, params=params
        )
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def find_sent_message(
        self, *, access_token: str, user_id: str, text: str, since_ms: int, max_calls: int = 5
    ) -> str | None:
        """The message_id of an OA text to this citizen sent at/after `since_ms`, if any.

        For a send that timed out: Zalo may have delivered it, and its history tells
        whether sending again would be a duplicate.
        """
        wanted = unicodedata.normalize("NFC", text)
        for call in range(max_calls):
            items = self.get_conversation(
                access_token=access_token, user_id=user_id, offset=call * 10, count=10
            )
            for item in items:
                sent_by_oa = str(item.get("src")) == "0"
                if sent_by_oa and _as_int(item.get("time")) >= since_ms:
                    message = unicodedata.normalize("NFC", str(item.get("message") or ""))
                    if message == wanted and item.get("message_id"):
                        return str(item["message_id"])
            # Newest first: a short page, or one reaching before `since_ms`, ends the search.
            if len(items) < 10 or min(_as_int(i.get("time")) for i in items) < since_ms:
                return None
        return None

    # --- plumbing ------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        access_token: str,
        json: Any = None,
        params: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        """An OA API call; returns `data` when it is an object (else an empty dict)."""
        data = self._call_any(
            method, path, access_token=access_token, json=json, params=params, files=files
        )
        return data if isinstance(data, dict) else {}

    def _call_any(
        self,
        method: str,
        path: str,
        *,
        access_token: str,
        json: Any = None,
        params: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        body = self._call_raw(
            method,
            f"{self.openapi_url}{path}",
            headers={"access_token": access_token},
            json=json,
            params=params,
            files=files,
        )
        return body.get("data")

    def _call_raw(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        json: Any = None,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        """One call; returns the decoded body when Zalo said `error == 0`, else raises."""
        try:
            resp = request(
                method,
                url,
                headers=headers,
                json=json,
                params=params,
                data=data,
                files=files,
                timeout=self.timeout,
            )
        except HttpError as exc:
            kind = ZaloErrorKind.RETRY if exc.retryable else ZaloErrorKind.INVALID
            raise ZaloApiError(
                0, str(exc), kind=kind, http_status=exc.status, transport=exc.kind
            ) from exc

        if resp.status >= 500 or resp.status == 429:
            raise ZaloApiError(
                0, f"HTTP {resp.status}", kind=ZaloErrorKind.RETRY, http_status=resp.status
            )
        try:
            body = resp.json()
        except HttpError as exc:
            raise ZaloApiError(
                0,
                f"HTTP {resp.status} with a body that is not JSON",
                kind=ZaloErrorKind.INVALID,
                http_status=resp.status,
                transport=exc.kind,
            ) from exc
        if not isinstance(body, dict):
            raise ZaloApiError(
                0,
                "answer is not a JSON object",
                kind=ZaloErrorKind.INVALID,
                http_status=resp.status,
            )
        # Zalo answers failures with HTTP 200 and a negative `error`: the body decides.
        code = _as_int(body.get("error", 0))
        if code != 0:
            message = str(body.get("message") or body.get("error_name") or "")
            raise ZaloApiError(code, message, http_status=resp.status)
        if resp.status >= 400:
            raise ZaloApiError(
                0, f"HTTP {resp.status}", kind=ZaloErrorKind.INVALID, http_status=resp.status
            )
        return body


def _checked_text(text: str) -> str:
    # Zalo counts characters after NFC; decomposed Vietnamese would look longer than it is.
    normalized = unicodedata.normalize("NFC", text)
    if not normalized.strip():
        raise ZaloApiError(-201, "text is empty", kind=ZaloErrorKind.INVALID)
    if len(normalized) > TEXT_LIMIT:
        raise ZaloApiError(
            -201, f"text longer than {TEXT_LIMIT} characters", kind=ZaloErrorKind.INVALID
        )
    return normalized


def _send_result(data: dict[str, Any]) -> SendResult:
    quota = data.get("quota")
    quota_type = quota.get("quota_type") if isinstance(quota, dict) else None
    return SendResult(
        message_id=_required_str(data, "message_id"),
        quota_type=str(quota_type) if quota_type else None,
        raw=data,
    )


def _required_str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise ZaloApiError(0, f"answer without data.{key}", kind=ZaloErrorKind.UNKNOWN)
    return str(value)


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        # An `error` we cannot read is still an error.
        return -1
