"""The "citizen phone" page: a browser stand-in for the Zalo app, for demos.

Server-rendered HTML (every value passes through `html.escape`) plus a small script
(static/phone.js) that sends through the JSON endpoints below and polls the conversation
every 2 s. The script only ever sets `textContent`, so what a citizen typed is never
interpreted as HTML on either path.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from binhyen.simulator.core import Simulator
from binhyen.simulator.events import citizen_ids
from binhyen.simulator.media import STICKERS
from binhyen.simulator.model import ConvItem

VN_TZ = dt.timezone(dt.timedelta(hours=7))
MAX_PHOTO_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    note: str


PERSONAS = [
    Persona("an", "Nguyễn Văn An", "Tân Lợi, Buôn Ma Thuột"),
    Persona("binh", "Trần Thị Bình", "Tuy Hòa"),
    Persona("hnhi", "H'Nhi Niê", "Ea Kao"),
    Persona("ykhoa", "Y Khoa Mlô", "Buôn Đôn"),
    Persona("chau", "Lê Minh Châu", "Buôn Hồ"),
]

PLACES = [
    # (label, latitude, longitude); approximate points for the demo.
    ("Gần Phường Buôn Ma Thuột (trung tâm)", 12.6797, 108.0377),
    ("Gần Phường Tuy Hòa", 13.0799, 109.289),
    ("Gần Phường Buôn Hồ", 12.917, 108.271),
    ("Gần Hồ Lắk (xã Liên Sơn Lắk)", 12.4175, 108.18),
    ("Gần Bản Đôn (xã Buôn Đôn)", 12.879, 107.788),
]

QUICK_TEXTS = [
    "Có nhóm thanh niên khoảng 10 người mang theo hung khí đang tụ tập gần trường mầm non.",
    "Cho em hỏi làm căn cước cho con dưới 14 tuổi cần giấy tờ gì ạ?",
    "Nhà hàng xóm hát karaoke quá 23h đêm rất ồn, mong công an phường nhắc nhở.",
    "Em vừa nhận cuộc gọi xưng là công an yêu cầu chuyển tiền, có phải lừa đảo không ạ?",
]


def persona_user(sim: Simulator, oa_id: str, persona_key: str) -> tuple[str, str]:
    """(user_id, user_id_by_app) of a persona on a page: stable across restarts."""
    return citizen_ids(persona_key, oa_id, sim.page(oa_id).app_id)


def _asset(name: str) -> str:
    return resources.files("binhyen.simulator").joinpath("static", name).read_text("utf-8")


def asset(name: str) -> tuple[bytes, str] | None:
    types = {"phone.css": "text/css; charset=utf-8", "phone.js": "text/javascript; charset=utf-8"}
    if name not in types:
        return None
    return _asset(name).encode(), types[name]


def _resolve(sim: Simulator, query: dict[str, list[str]]) -> tuple[str, str, str, str]:
    """(oa_id, persona key, display name, user id) from the page's query string."""
    oa_id = query.get("oa", [""])[0]
    if oa_id not in sim.pages:
        oa_id = next(iter(sim.pages))
    custom = query.get("name", [""])[0].strip()[:60]
    if custom:
        key, name = "custom:" + custom.casefold(), custom
    else:
        wanted = query.get("p", [PERSONAS[0].key])[0]
        persona = next((p for p in PERSONAS if p.key == wanted), PERSONAS[0])
        key, name = persona.key, persona.name
    user_id, _by_app = persona_user(sim, oa_id, key)
    return oa_id, key, name, user_id


def render_page(sim: Simulator, query: dict[str, list[str]]) -> bytes:
    oa_id, key, name, user_id = _resolve(sim, query)
    e = html.escape
    pages = "".join(
        f'<option value="{e(p.oa_id)}"{" selected" if p.oa_id == oa_id else ""}>'
        f"{e(p.name)}</option>"
        for p in sim.pages.values()
    )
    personas = "".join(
        f'<option value="{e(p.key)}"{" selected" if p.key == key else ""}>'
        f"{e(p.name)} — {e(p.note)}</option>"
        for p in PERSONAS
    )
    if key.startswith("custom:"):
        personas += f'<option value="" selected>{e(name)} (tự nhập)</option>'
    places = "".join(
        f'<option value="{lat},{lon}">{e(label)}</option>' for label, lat, lon in PLACES
    )
    stickers = "".join(
        f'<button type="button" class="sticker" data-sticker="{e(sid)}" title="{e(label)}">'
        f"{e(emoji)}</button>"
        for sid, (emoji, label) in STICKERS.items()
    )
    quick = "".join(
        f'<button type="button" class="chip" data-text="{e(t)}">{e(t[:38])}…</button>'
        for t in QUICK_TEXTS
    )
    items = sim.conversation(oa_id, user_id)
    config = {
        "oa_id": oa_id,
        "user_id": user_id,
        "persona": key,
        "display_name": name,
        "self_url": "/?"
        + urlencode(
            {"oa": oa_id, "p": key}
            if not key.startswith("custom:")
            else {"oa": oa_id, "name": name}
        ),
    }
    citizen = sim.citizens.get((oa_id, user_id))
    replacements = {
        "page_options": pages,
        "persona_options": personas,
        "place_options": places,
        "stickers": stickers,
        "quick_texts": quick,
        "page_name": e(sim.pages[oa_id].name),
        "citizen_name": e(name),
        "custom_name": e(name) if key.startswith("custom:") else "",
        "user_id": e(user_id),
        "follow_label": "Bỏ quan tâm" if citizen and citizen.is_follower else "Quan tâm",
        "conversation": "".join(render_item(i) for i in items)
        or '<p class="empty">Chưa có tin nhắn. Hãy gửi tin đầu tiên cho trang.</p>',
        # Escaped for an HTML attribute; the script reads it back with JSON.parse.
        "config": e(json.dumps(config, ensure_ascii=False)),
    }
    page = _asset("phone.html")
    for placeholder, value in replacements.items():
        page = page.replace("{{" + placeholder + "}}", value)
    return page.encode()


def _clock(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=VN_TZ).strftime("%H:%M")


def item_json(item: ConvItem) -> dict[str, Any]:
    return {
        "seq": item.seq,
        "direction": item.direction,
        "kind": item.kind,
        "msg_id": item.msg_id,
        "time": _clock(item.time_ms),
        "text": item.text,
        "url": item.url,
        "label": item.label,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "webhook_status": item.webhook_status,
        "seen": item.seen,
    }


def mark(item: ConvItem) -> str:
    if item.direction == "out":
        return ""
    if item.webhook_status is None:
        return "Đang gửi…"
    if 200 <= item.webhook_status < 300:
        # `seen` on the citizen's own bubble: the page has read it (it answered since).
        return "✓ Đã xem" if item.seen else "✓ Đã gửi"
    return f"⚠ Webhook lỗi ({item.webhook_status or 'không kết nối'})"


def render_item(item: ConvItem) -> str:
    """Server-side twin of phone.js renderItem(); both escape everything."""
    e = html.escape
    if item.direction == "event":
        label = "Bạn đã quan tâm trang" if item.kind == "follow" else "Bạn đã bỏ quan tâm trang"
        return f'<div class="event">{e(label)} · {e(_clock(item.time_ms))}</div>'
    parts: list[str] = []
    if item.kind == "image" and item.url:
        parts.append(f'<img class="photo" src="{e(item.url)}" alt="">')
    if item.kind == "sticker" and item.label:
        parts.append(f'<div class="big">{e(item.label)}</div>')
    if item.kind == "location" and item.latitude is not None:
        parts.append(f'<div class="loc">📍 {item.latitude:.5f}, {item.longitude:.5f}</div>')
    if item.kind == "file":
        parts.append(f'<a class="file" href="{e(item.url or "")}">📄 {e(item.label or "")}</a>')
    if item.text:
        parts.append(f'<div class="text">{e(item.text)}</div>')
    meta = e(_clock(item.time_ms)) + (f" · {e(mark(item))}" if mark(item) else "")
    return (
        f'<div class="bubble {e(item.direction)}" data-seq="{item.seq}">'
        f'{"".join(parts)}<div class="meta">{meta}</div></div>'
    )


# --- JSON endpoints used by phone.js --------------------------------------------------------


def conversation_json(sim: Simulator, query: dict[str, list[str]]) -> dict[str, Any]:
    oa_id, user_id = query.get("oa_id", [""])[0], query.get("user_id", [""])[0]
    citizen = sim.citizens.get((oa_id, user_id))
    return {
        "follower": bool(citizen and citizen.is_follower),
        "messages": [item_json(i) | {"mark": mark(i)} for i in sim.conversation(oa_id, user_id)],
    }


def send(sim: Simulator, body: Any) -> tuple[int, dict[str, Any]]:
    """One citizen action from the phone; answers the webhook's status."""
    if not isinstance(body, dict):
        return 400, {"error": "JSON object expected"}
    oa_id, persona = str(body.get("oa_id", "")), str(body.get("persona", ""))[:80]
    name = str(body.get("display_name") or "")[:60] or None
    if oa_id not in sim.pages or not persona:
        return 400, {"error": "unknown page or persona"}
    # Ids come from the persona, so one person keeps one user_id_by_app across pages.
    user_id, by_app = persona_user(sim, oa_id, persona)
    sim.register_citizen(oa_id, user_id, display_name=name, user_id_by_app=by_app)
    kind = body.get("kind")
    text = str(body.get("text") or "").strip()[:4000] or None
    try:
        if kind == "text":
            if not text:
                return 400, {"error": "Tin nhắn trống"}
            status, payload = sim.citizen_send_text(oa_id, user_id, text, display_name=name)
        elif kind == "image":
            content = base64.b64decode(str(body.get("image_b64", "")), validate=True)
            if not content or len(content) > MAX_PHOTO_BYTES:
                return 400, {"error": "Ảnh trống hoặc lớn hơn 5 MB"}
            status, payload = sim.citizen_send_image(
                oa_id, user_id, content, caption=text, display_name=name
            )
        elif kind == "location":
            lat, lon = float(body["latitude"]), float(body["longitude"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return 400, {"error": "Tọa độ không hợp lệ"}
            status, payload = sim.citizen_send_location(
                oa_id, user_id, lat, lon, text=text, display_name=name
            )
        elif kind == "sticker":
            status, payload = sim.citizen_send_sticker(
                oa_id, user_id, str(body.get("sticker_id", "")), display_name=name
            )
        elif kind in {"follow", "unfollow"}:
            status, payload = sim.citizen_follow(
                oa_id, user_id, display_name=name, follow=kind == "follow"
            )
        else:
            return 400, {"error": "unknown kind"}
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return 400, {"error": str(exc) or "invalid input"}
    return 200, {
        "webhook_status": status,
        "event_name": payload.get("event_name"),
        "user_id": user_id,
    }


def seen(sim: Simulator, body: Any) -> tuple[int, dict[str, Any]]:
    if not isinstance(body, dict) or str(body.get("oa_id", "")) not in sim.pages:
        return 400, {"error": "unknown page"}
    msg_ids = body.get("msg_ids")
    if not isinstance(msg_ids, list):
        return 400, {"error": "msg_ids must be a list"}
    result = sim.citizen_sees(
        str(body["oa_id"]), str(body.get("user_id", "")), [str(m) for m in msg_ids]
    )
    return 200, {"webhook_status": result[0] if result else None}
