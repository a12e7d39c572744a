"""The fake Zalo OA API: same paths and answer shapes as openapi.zalo.me / oauth.zaloapp.com.

Each handler gets the simulator and the request and returns (HTTP status, JSON body).
Like Zalo, failures are HTTP 200 with a negative `error`. The OAuth error codes below
(-14003, -14014, -14019) are this simulator's choice: Zalo documents none for these cases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from binhyen.simulator.core import FREE_MS, WINDOW_MS, Simulator
from binhyen.simulator.media import parse_multipart, sniff_image_type
from binhyen.simulator.model import Citizen, SimPage

Answer = tuple[int, dict[str, Any]]

MESSAGES = {
    # Paraphrases of Zalo's error table (zalo-oa.md §3.4).
    -100: "Attachment is expired or does not exist",
    -201: "Parameters are invalid",
    -211: "Out of quota",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -220: "Access token has expired or has been removed",
    -223: "Official Account has not been authorized to use this API",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User has not interacted with the OA or the interaction has expired",
    -240: "Message API v2 has been shut down, use v3",
    -32: "Request limit exceeded",
}
TEXT_LIMIT = 2000
VN_TZ = dt.timezone(dt.timedelta(hours=7))
IMAGE_MAX_BYTES = 1024 * 1024
FILE_MAX_BYTES = 5 * 1024 * 1024
FILE_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message  # case-insensitive, as http.server parses them
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def error(code: int, message: str | None = None) -> Answer:
    return 200, {"error": code, "message": message or MESSAGES.get(code, "Error")}


def success(data: dict[str, Any]) -> Answer:
    return 200, {"error": 0, "message": "Success", "data": data}


def handle(sim: Simulator, req: ApiRequest) -> Answer | None:
    """Answer a fake-Zalo API call, or None when the path is not one of Zalo's."""
    route = ROUTES.get((req.method, req.path))
    if route is None:
        return None
    if req.path == "/v4/oa/access_token":
        return route(sim, req, None)
    page, code = sim.tokens.check_access(req.headers.get("access_token"))
    if page is None:
        return error(code)
    return route(sim, req, page)


# --- messages --------------------------------------------------------------------------


def _window_error(sim: Simulator, citizen: Citizen | None) -> int:
    if citizen is None or citizen.last_interaction_ms is None:
        return -232
    if sim.now_ms() - citizen.last_interaction_ms > WINDOW_MS:
        return -230
    return 0


def _text_error(text: Any) -> bool:
    return not isinstance(text, str) or len(unicodedata.normalize("NFC", text)) > TEXT_LIMIT


def message_cs(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    assert page is not None
    body = req.json()
    if not isinstance(body, dict):
        return error(-201, "Body must be a JSON object")
    recipient, message = body.get("recipient"), body.get("message")
    if not isinstance(recipient, dict) or not isinstance(message, dict):
        return error(-201, "recipient and message are required")
    user_id = recipient.get("user_id")
    if not user_id and recipient.get("message_id"):
        # Reply-to-a-message mode: the recipient is whoever wrote that message.
        owner = sim.inbound_msgs.get(str(recipient["message_id"]))
        user_id = owner[1] if owner and owner[0] == page.oa_id else None
    if not user_id:
        return error(-201, "recipient.user_id is invalid")
    citizen = sim.citizens.get((page.oa_id, str(user_id)))
    if citizen is not None and citizen.anonymous_conversation:
        return error(-201, "recipient.user_id is invalid")
    window = _window_error(sim, citizen)
    if window:
        return error(window)
    assert citizen is not None

    text = message.get("text")
    if text is not None and _text_error(text):
        return error(-201, "message.text is invalid or longer than 2000 characters")
    attachment = message.get("attachment")
    if attachment is None and not text:
        return error(-201, "message.text is empty")

    echo_message: dict[str, Any] = {"text": text} if text else {}
    extra: dict[str, Any] = {}
    if message.get("quote_message_id"):
        extra["quote_message_id"] = str(message["quote_message_id"])
    if attachment is None:
        kind, url, label, echo_name = "text", None, None, "oa_send_text"
    else:
        parsed = _parse_attachment(sim, page, attachment)
        if isinstance(parsed, int):
            return error(parsed)
        kind, url, label, echo_attachment = parsed
        echo_name = f"oa_send_{kind}"
        echo_message["attachments"] = [echo_attachment]
    msg_id = sim.record_oa_message(
        page,
        citizen,
        kind=kind,
        text=text,
        url=url,
        label=label,
        extra=extra,
        echo_name=echo_name,
        echo_message=echo_message,
    )
    data: dict[str, Any] = {
        "message_id": msg_id,
        "user_id": citizen.user_id,
        "sent_time": str(sim.now_ms()),
    }
    assert citizen.last_interaction_ms is not None
    if sim.now_ms() - citizen.last_interaction_ms <= FREE_MS:
        data["quota"] = {"quota_type": "reply"}
    return success(data)


def _parse_attachment(
    sim: Simulator, page: SimPage, attachment: Any
) -> int | tuple[str, str, str | None, dict[str, Any]]:
    """(kind, url, label, echo attachment) or a Zalo error code."""
    if not isinstance(attachment, dict) or not isinstance(attachment.get("payload"), dict):
        return -201
    payload = attachment["payload"]
    if attachment.get("type") == "template" and payload.get("template_type") == "media":
        elements = payload.get("elements")
        if (
            not isinstance(elements, list)
            or len(elements) != 1
            or not isinstance(elements[0], dict)
        ):
            return -201
        element = elements[0]
        if element.get("media_type") != "image" or not element.get("attachment_id"):
            return -201
        upload = sim.uploads.get(str(element["attachment_id"]))
        if upload is None or upload[0] != page.oa_id:
            return -100
        url = sim.media_url(upload[1])
        return "image", url, None, {"type": "image", "payload": {"url": url, "thumbnail": url}}
    if attachment.get("type") == "file" and payload.get("token"):
        file_upload = sim.file_uploads.get(str(payload["token"]))
        if file_upload is None or file_upload[0] != page.oa_id:
            return -100
        _oa, media_id, name = file_upload
        extension = name.rsplit(".", 1)[-1].lower()
        url = sim.media_url(media_id, extension)
        content = sim.media[media_id][0]
        echo = {
            "type": "file",
            "payload": {
                "url": url,
                "name": name,
                "size": str(len(content)),
                "type": extension,
                "checksum": _md5(content),
            },
        }
        return "file", url, name, echo
    return -201


def _md5(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def message_v2(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    """POST /v2.0/oa/message: only anonymous replies still work here."""
    assert page is not None
    body = req.json()
    recipient = body.get("recipient") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(recipient, dict) or not isinstance(message, dict):
        return error(-201, "recipient and message are required")
    if recipient.get("user_id"):
        return error(-240)
    anonymous_id, conversation_id = recipient.get("anonymous_id"), recipient.get("conversation_id")
    if not anonymous_id or not conversation_id:
        return error(-201, "recipient.anonymous_id and conversation_id are required")
    citizen = sim.citizens.get((page.oa_id, str(anonymous_id)))
    if citizen is None or citizen.anonymous_conversation != str(conversation_id):
        return error(-201, "anonymous recipient is invalid")
    window = _window_error(sim, citizen)
    if window:
        return error(window)
    text = message.get("text")
    if not text or _text_error(text):
        return error(-201, "message.text is invalid or longer than 2000 characters")
    msg_id = sim.record_oa_message(
        page,
        citizen,
        kind="text",
        text=text,
        echo_name="oa_send_anonymous_text",
        echo_message={"text": text, "conversation_id": citizen.anonymous_conversation},
    )
    return success({"message_id": msg_id, "user_id": citizen.user_id})


# --- uploads ---------------------------------------------------------------------------


def _upload(req: ApiRequest) -> tuple[str, bytes, str] | None:
    content_type = req.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    return parse_multipart(content_type, req.body).get("file")


def upload_image(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    assert page is not None
    upload = _upload(req)
    if upload is None or not upload[1]:
        return error(-201, "file is required")
    content = upload[1]
    if len(content) > IMAGE_MAX_BYTES:
        return error(-201, "image must be at most 1 MB")
    if sniff_image_type(content) not in {"image/jpeg", "image/png"}:
        return error(-201, "image must be JPG or PNG")
    attachment_id = secrets.token_urlsafe(36)
    media_id = sim.store_media(content)
    sim.uploads[attachment_id] = (page.oa_id, media_id)
    return success({"attachment_id": attachment_id})


def upload_file(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    assert page is not None
    upload = _upload(req)
    if upload is None or not upload[1]:
        return error(-201, "file is required")
    name, content, _type = upload
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FILE_TYPES:
        return error(-201, "file must be PDF, DOC, DOCX or CSV")
    if len(content) > FILE_MAX_BYTES:
        return error(-201, "file must be at most 5 MB")
    token = secrets.token_urlsafe(36)
    media_id = sim.store_media(content, FILE_TYPES[extension])
    sim.file_uploads[token] = (page.oa_id, media_id, name)
    return success({"token": token})


# --- reads -----------------------------------------------------------------------------


def user_detail(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    assert page is not None
    try:
        params = json.loads(req.query.get("data", ["{}"])[0])
    except ValueError:
        params = None
    user_id = str(params.get("user_id", "")) if isinstance(params, dict) else ""
    citizen = sim.citizens.get((page.oa_id, user_id))
    if citizen is None or citizen.anonymous_conversation:
        return error(-201, "user_id is invalid")
    last = citizen.last_interaction_ms
    avatar = f"{sim.base_url}/media/avatar-{user_id}.jpg"
    return success(
        {
            "user_id": citizen.user_id,
            "user_id_by_app": citizen.user_id_by_app,
            "user_external_id": "",
            "display_name": citizen.display_name,
            "user_alias": citizen.display_name,
            "is_sensitive": False,
            "user_last_interaction_date": _ddmmyyyy(last) if last else "",
            "user_is_follower": citizen.is_follower,
            "avatar": avatar,
            "avatars": {"120": avatar, "240": avatar},
            "dynamic_param": "",
            "tags_and_notes_info": {"notes": [], "tag_names": []},
            "shared_info": {},
        }
    )


_HISTORY_TYPES = {
    "text": "text",
    "image": "photo",
    "sticker": "sticker",
    "location": "location",
    "file": "file",
}


def conversation(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    """GET /v2.0/oa/conversation: one citizen's recent messages, newest first (≤ 10)."""
    assert page is not None
    try:
        params = json.loads(req.query.get("data", ["{}"])[0])
        user_id = str(params["user_id"])
        offset, count = int(params.get("offset", 0)), int(params.get("count", 10))
    except (ValueError, KeyError, TypeError):
        return error(-201, "data must hold user_id, offset and count")
    if not 1 <= count <= 10 or offset < 0:
        return error(-201, "count must be between 1 and 10")
    citizen = sim.citizens.get((page.oa_id, user_id))
    if citizen is None:
        return error(-201, "user_id is invalid")
    items = [i for i in sim.conversation(page.oa_id, user_id) if i.direction in {"in", "out"}]
    history = []
    for item in reversed(items):
        from_oa = item.direction == "out"
        oa_side = {"id": page.oa_id, "display_name": page.name}
        user_side = {"id": user_id, "display_name": citizen.display_name}
        sender, receiver = (oa_side, user_side) if from_oa else (user_side, oa_side)
        entry: dict[str, Any] = {
            "src": 0 if from_oa else 1,
            "time": item.time_ms,
            "sent_time": _clock(item.time_ms),
            "from_id": sender["id"],
            "from_display_name": sender["display_name"],
            "from_avatar": f"{sim.base_url}/media/avatar-{sender['id']}.jpg",
            "to_id": receiver["id"],
            "to_display_name": receiver["display_name"],
            "to_avatar": f"{sim.base_url}/media/avatar-{receiver['id']}.jpg",
            "message_id": item.msg_id,
            "type": _HISTORY_TYPES.get(item.kind, item.kind),
            "message": item.text or "",
        }
        if item.url:
            entry["url"] = entry["thumb"] = item.url
        history.append(entry)
    return 200, {"data": history[offset : offset + count], "error": 0, "message": "Success"}


def _clock(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=VN_TZ).strftime("%H:%M:%S %d/%m/%Y")


def _ddmmyyyy(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=VN_TZ).strftime("%d/%m/%Y")


def quota_message(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    assert page is not None
    body = req.json()
    user_id = str(body.get("user_id", "")) if isinstance(body, dict) else ""
    citizen = sim.citizens.get((page.oa_id, user_id))
    if citizen is None:
        return error(-201, "user_id is invalid")
    return success(
        {
            "user_id": user_id,
            "last_interaction": citizen.last_interaction_ms,
            "cs_reply": {"remain": 8, "total": 8},
        }
    )


def getoa(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    assert page is not None
    followers = sum(1 for c in sim.citizens.values() if c.oa_id == page.oa_id and c.is_follower)
    return success(
        {
            "oa_id": page.oa_id,
            "name": page.name,
            "description": f"Trang Zalo chính thức của {page.name}",
            "oa_alias": "",
            "is_verified": True,
            "oa_type": 2,
            "cate_name": "Cơ quan nhà nước",
            "num_follower": followers,
            "avatar": f"{sim.base_url}/media/oa-{page.oa_id}.jpg",
            "cover": f"{sim.base_url}/media/oa-cover-{page.oa_id}.jpg",
        }
    )


# --- OAuth -----------------------------------------------------------------------------


def _oauth_error(code: int, name: str) -> Answer:
    return 200, {"error": code, "error_name": name, "error_reason": name, "error_description": name}


def access_token(sim: Simulator, req: ApiRequest, page: SimPage | None) -> Answer:
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    app_id, secret = form.get("app_id", ""), req.headers.get("secret_key", "")
    pages = [p for p in sim.pages.values() if p.app_id == app_id]
    if not pages or not secrets.compare_digest(pages[0].app_secret_key, secret):
        return _oauth_error(-14003, "Invalid app_id or secret_key")
    grant = form.get("grant_type")
    if grant == "refresh_token":
        oa_id = sim.tokens.use_refresh(form.get("refresh_token", ""))
        if oa_id is None or sim.pages[oa_id].app_id != app_id:
            return _oauth_error(-14014, "Invalid refresh token")
    elif grant == "authorization_code":
        oa_id = sim.tokens.use_code(form.get("code", ""))
        if oa_id is None or sim.pages[oa_id].app_id != app_id:
            return _oauth_error(-14019, "Invalid authorization code")
    else:
        return _oauth_error(-14003, "Invalid grant_type")
    access, refresh, ttl = sim.tokens.issue(oa_id)
    return 200, {"access_token": access, "refresh_token": refresh, "expires_in": str(ttl)}


Route = Callable[[Simulator, ApiRequest, SimPage | None], Answer]
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/v3.0/oa/message/cs"): message_cs,
    ("POST", "/v2.0/oa/message"): message_v2,
    ("POST", "/v2.0/oa/upload/image"): upload_image,
    ("POST", "/v2.0/oa/upload/file"): upload_file,
    ("GET", "/v3.0/oa/user/detail"): user_detail,
    ("POST", "/v3.0/oa/quota/message"): quota_message,
    ("GET", "/v2.0/oa/getoa"): getoa,
    ("GET", "/v2.0/oa/conversation"): conversation,
    ("POST", "/v4/oa/access_token"): access_token,
}
