"""The citizen phone page and its JSON endpoints."""

from __future__ import annotations

import base64
import re
from html import escape

from binhyen.simulator import SimulatorServer
from binhyen.simulator.events import citizen_ids
from binhyen.simulator.media import sticker_png
from binhyen.simulator.phone import PERSONAS
from binhyen.simulator.testing import WebhookReceiver

from .helpers import APP_ID, OA2_ID, OA_ID, call, send_text

TOKEN = "initial-access-bmt"


def _send(sim: SimulatorServer, **body: object) -> tuple[int, dict]:
    body = {"oa_id": OA_ID, "persona": "an", "display_name": "Nguyễn Văn An", **body}
    status, answer, _h = call(sim.base_url, "POST", "/_sim/api/send", body=body)
    return status, answer


def test_the_page_is_vietnamese_and_lists_pages_and_personas(sim: SimulatorServer) -> None:
    status, html, headers = call(sim.base_url, "GET", "/")

    text = html.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in text
    assert "Công an phường Buôn Ma Thuột" in text and "Công an phường Tuy Hòa" in text
    assert all(escape(p.name) in text for p in PERSONAS)
    assert "Gần Phường Tuy Hòa" in text


def test_the_page_loads_nothing_from_other_hosts(sim: SimulatorServer) -> None:
    _s, html, _h = call(sim.base_url, "GET", "/")

    assert not re.search(rb'(src|href)="(https?:)?//', html)
    for asset in ("phone.css", "phone.js"):
        status, body, _h = call(sim.base_url, "GET", f"/_sim/static/{asset}")
        assert status == 200 and b"http://" not in body and b"https://" not in body


def test_the_script_never_writes_html(sim: SimulatorServer) -> None:
    _s, js, _h = call(sim.base_url, "GET", "/_sim/static/phone.js")

    assert b"innerHTML" not in js and b"insertAdjacentHTML" not in js
    assert b"textContent" in js


def test_what_the_citizen_typed_is_escaped_on_the_page(sim: SimulatorServer) -> None:
    status, _answer = _send(sim, kind="text", text='<script>alert("x")</script> & <img src=x>')
    user_id, _by_app = citizen_ids("an", OA_ID, APP_ID)

    _s, html, _h = call(sim.base_url, "GET", "/", query={"oa": OA_ID, "p": "an"})

    assert status == 200
    assert b"<script>alert" not in html and b"<img src=x>" not in html
    assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x&gt;" in html
    assert user_id.encode() in html


def test_a_typed_persona_name_is_escaped_too(sim: SimulatorServer) -> None:
    _s, html, _h = call(sim.base_url, "GET", "/", query={"oa": OA_ID, "name": "<i>Hoa</i>"})

    assert b"<i>Hoa</i>" not in html and b"&lt;i&gt;Hoa&lt;/i&gt;" in html


def test_a_persona_keeps_one_id_per_page_and_one_app_id(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    _send(sim, kind="text", text="một")
    _send(sim, kind="text", text="hai")
    _send(sim, kind="text", text="ba", oa_id=OA2_ID)

    first, second, other_page = (r.payload for r in receiver.events("user_send_text"))
    assert first["sender"]["id"] == second["sender"]["id"] != other_page["sender"]["id"]
    assert first["user_id_by_app"] == other_page["user_id_by_app"]
    assert first["sender"]["id"] == citizen_ids("an", OA_ID, APP_ID)[0]


def test_the_conversation_shows_police_replies_and_delivery_marks(
    sim: SimulatorServer,
) -> None:
    _status, answer = _send(sim, kind="text", text="Có trộm")
    user_id = answer["user_id"]
    query = {"oa_id": OA_ID, "user_id": user_id}
    _s, before, _h = call(sim.base_url, "GET", "/_sim/api/conversation", query=query)
    [sent] = before["messages"]
    assert sent["mark"] == "✓ Đã gửi"
    send_text(sim.base_url, TOKEN, user_id, "Chúng tôi đang tới")

    _s, data, _h = call(sim.base_url, "GET", "/_sim/api/conversation", query=query)

    mine, reply = data["messages"]
    # The page answered, so it read the citizen's message: Zalo shows "Đã xem" on it.
    assert mine["direction"] == "in" and mine["mark"] == "✓ Đã xem"
    assert reply["direction"] == "out" and reply["text"] == "Chúng tôi đang tới"
    assert reply["seen"] is False and reply["mark"] == ""


def test_the_phones_keep_their_history_across_a_restart(
    page, page2, receiver: WebhookReceiver, tmp_path
) -> None:
    state = tmp_path / "simulator-state.json"
    first = SimulatorServer([page, page2], receiver.url, state_path=str(state)).start()
    try:
        _status, answer = _send(first, kind="text", text="Có trộm ở chợ")
        user_id = answer["user_id"]
        png = base64.b64encode(sticker_png("like")).decode()
        assert _send(first, kind="image", image_b64=png)[0] == 200
        send_text(first.base_url, TOKEN, user_id, "Chúng tôi đang tới")
    finally:
        first.stop()
    assert state.exists()

    again = SimulatorServer([page, page2], receiver.url, state_path=str(state)).start()
    try:
        query = {"oa_id": OA_ID, "user_id": user_id}
        _s, data, _h = call(again.base_url, "GET", "/_sim/api/conversation", query=query)
        texts = [m["text"] for m in data["messages"]]
        assert texts == ["Có trộm ở chợ", None, "Chúng tôi đang tới"]
        assert data["messages"][0]["mark"] == "✓ Đã xem"
        photo = data["messages"][1]["url"]
        status, body, _h = call(again.base_url, "GET", "/" + photo.split("/", 3)[3])
        assert status == 200 and body[:4] == b"\x89PNG"
        # New bubbles continue after the old ones.
        _send(again, kind="text", text="Cảm ơn")
        _s, data, _h = call(again.base_url, "GET", "/_sim/api/conversation", query=query)
        seqs = [m["seq"] for m in data["messages"]]
        assert seqs == sorted(seqs) and len(set(seqs)) == 4
    finally:
        again.stop()


def test_showing_a_reply_sends_user_seen_message(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    _status, answer = _send(sim, kind="text", text="Có trộm")
    user_id = answer["user_id"]
    message_id = send_text(sim.base_url, TOKEN, user_id, "Đang tới")["data"]["message_id"]

    status, _a, _h = call(
        sim.base_url,
        "POST",
        "/_sim/api/seen",
        body={"oa_id": OA_ID, "user_id": user_id, "msg_ids": [message_id]},
    )

    assert status == 200
    [seen] = receiver.events("user_seen_message")
    assert seen.payload["message"]["msg_ids"] == [message_id] and seen.signature_ok


def test_photo_location_sticker_and_follow_from_the_phone(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    photo = base64.b64encode(sticker_png("9")).decode()

    results = [
        _send(sim, kind="image", image_b64=photo, text="Ảnh hiện trường"),
        _send(sim, kind="location", latitude=12.6797, longitude=108.0377, text="Ở đây"),
        _send(sim, kind="sticker", sticker_id="46891"),
        _send(sim, kind="follow"),
    ]

    assert [status for status, _a in results] == [200, 200, 200, 200]
    assert [r.event_name for r in receiver.received] == [
        "user_send_image",
        "user_send_location",
        "user_send_sticker",
        "follow",
    ]
    assert all(r.signature_ok for r in receiver.received)
    image = receiver.received[0].payload["message"]
    assert image["text"] == "Ảnh hiện trường"
    assert image["attachments"][0]["payload"]["url"].startswith(sim.base_url + "/media/")


def test_bad_phone_input_is_a_400_not_a_crash(sim: SimulatorServer) -> None:
    assert _send(sim, kind="image", image_b64="not base64!")[0] == 400
    assert _send(sim, kind="location", latitude="north", longitude=1)[0] == 400
    assert _send(sim, kind="text", text="   ")[0] == 400
    assert _send(sim, kind="teleport")[0] == 400
    assert _send(sim, kind="text", text="x", oa_id="999")[0] == 400
    status, _a, _h = call(sim.base_url, "POST", "/_sim/api/send", raw=b"{not json")
    assert status == 400
