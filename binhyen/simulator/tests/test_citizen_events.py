"""The citizen side: each action POSTs Zalo's exact, signed event body to the webhook."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from binhyen.simulator import SimPage, SimulatorServer
from binhyen.simulator.testing import WebhookReceiver

from .helpers import FIXTURES, OA_ID, USER_ID, fixture, shape

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


def test_citizen_text_arrives_signed_with_the_oa_secret(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    status, payload = sim.citizen_send_text(OA_ID, USER_ID, "Có người lạ đột nhập nhà bên cạnh")

    assert status == 200
    [got] = receiver.events("user_send_text")
    assert got.signature_ok
    assert got.headers["x-zevent-signature"].startswith("mac=")
    assert got.payload == payload
    assert payload["sender"]["id"] == USER_ID and payload["recipient"]["id"] == OA_ID


def test_citizen_text_has_the_shape_of_the_realfixture(sim: SimulatorServer) -> None:
    _status, payload = sim.citizen_send_text(OA_ID, USER_ID, "Xin chào")

    assert shape(payload) == shape(fixture("user_send_text"))


def test_event_ids_and_timestamps_look_like_zalos(sim: SimulatorServer) -> None:
    _s, first = sim.citizen_send_text(OA_ID, USER_ID, "một")
    _s, second = sim.citizen_send_text(OA_ID, USER_ID, "hai")

    assert re.fullmatch(r"[0-9a-f]{20}", first["message"]["msg_id"])
    assert first["message"]["msg_id"] != second["message"]["msg_id"]
    assert re.fullmatch(r"\d{13}", first["timestamp"])
    assert re.fullmatch(r"\d{19}", first["user_id_by_app"])


def test_citizen_image_is_served_from_the_simulator_and_described_like_zalo(
    sim: SimulatorServer,
) -> None:
    _status, payload = sim.citizen_send_image(OA_ID, USER_ID, JPEG, caption="Biển số xe")

    assert shape(payload) == shape(fixture("user_send_image"))
    attachment = payload["message"]["attachments"][0]
    assert payload["message"]["text"] == "Biển số xe"
    for url in (attachment["payload"]["url"], attachment["payload"]["thumbnail"]):
        assert url.startswith(sim.base_url + "/media/") and url.endswith(".jpg")
        with urllib.request.urlopen(url) as resp:
            assert resp.read() == JPEG
            assert resp.headers["Content-Type"] == "image/jpeg"


def test_location_coordinates_travel_as_strings(sim: SimulatorServer) -> None:
    _status, payload = sim.citizen_send_location(OA_ID, USER_ID, 12.6797, 108.0377)

    coordinates = payload["message"]["attachments"][0]["payload"]["coordinates"]
    assert coordinates == {"latitude": "12.6797", "longitude": "108.0377"}
    assert "text" not in payload["message"]
    assert shape(payload) == shape(fixture("user_send_location"))


def test_location_may_carry_a_text(sim: SimulatorServer) -> None:
    _status, payload = sim.citizen_send_location(
        OA_ID, USER_ID, 13.0799, 109.289, text="Đang đánh nhau ở đây"
    )

    assert payload["message"]["text"] == "Đang đánh nhau ở đây"
    assert shape(payload) == shape(fixture("user_send_location_text"))


def test_sticker_points_at_a_downloadable_image(sim: SimulatorServer) -> None:
    _status, payload = sim.citizen_send_sticker(OA_ID, USER_ID, "46892")

    sticker = payload["message"]["attachments"][0]
    assert sticker["type"] == "sticker" and sticker["payload"]["id"] == "46892"
    with urllib.request.urlopen(sticker["payload"]["url"]) as resp:
        assert resp.read().startswith(b"\x89PNG")


def test_follow_names_the_follower_not_a_sender(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    sim.citizen_follow(OA_ID, USER_ID)
    sim.citizen_unfollow(OA_ID, USER_ID)

    follow, unfollow = receiver.events("follow")[0], receiver.events("unfollow")[0]
    assert follow.signature_ok and unfollow.signature_ok
    assert shape(follow.payload) == shape(fixture("follow"))
    assert follow.payload["follower"]["id"] == USER_ID and "sender" not in follow.payload
    assert sim.citizens[(OA_ID, USER_ID)].is_follower is False


def test_anonymous_text_carries_a_conversation_id(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    status, payload = sim.citizen_send_anonymous_text(
        OA_ID, "f0e1d2c3b4a5968778695a4b3c2d1e0f", "6789012345678901234", "Tôi muốn báo tin"
    )

    assert status == 200 and receiver.events("anonymous_send_text")[0].signature_ok
    assert shape(payload) == shape(fixture("anonymous_send_text"))


def test_unsigned_probe_and_extra_headers_are_sent_as_asked(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    sim.send_event({}, sign=False)
    payload = fixture("user_send_text")
    sim.send_event(payload, headers={"num_retry": "2"})

    probe, retry = receiver.received
    assert probe.body == b"{}" and "x-zevent-signature" not in probe.headers
    assert retry.headers["num_retry"] == "2" and retry.signature_ok


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_every_fixture_can_be_replayed_with_a_valid_signature(
    name: str, page: SimPage, receiver: WebhookReceiver
) -> None:
    # The fixtures use the same ids as the `page` fixture, so the simulator can sign them.
    with SimulatorServer([page], receiver.url) as server:
        delivery = server.send_event(fixture(name))

    assert delivery.status == 200
    assert receiver.received[-1].signature_ok


def test_a_failing_webhook_is_reported_to_the_caller(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    receiver.status = 503

    status, _payload = sim.citizen_send_text(OA_ID, USER_ID, "Alo")

    assert status == 503
    assert sim.conversation(OA_ID, USER_ID)[-1].webhook_status == 503


def test_an_unreachable_webhook_reads_as_status_zero(page: SimPage) -> None:
    with SimulatorServer([page], "http://127.0.0.1:9/nothing-listens-here") as server:
        status, _payload = server.citizen_send_text(OA_ID, USER_ID, "Alo")

    assert status == 0


def test_a_transport_callable_replaces_http(page: SimPage) -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    def transport(body: bytes, headers: object) -> tuple[int, bytes]:
        seen.append((body, dict(headers)))  # type: ignore[call-overload]
        return 202, b"ok"

    with SimulatorServer([page], "in-process", transport=transport) as server:
        status, payload = server.citizen_send_text(OA_ID, USER_ID, "Alo")

    assert status == 202
    assert json.loads(seen[0][0]) == payload
    assert seen[0][1]["X-ZEvent-Signature"].startswith("mac=")
