"""After an OA message, Zalo echoes it (oa_send_*) and reports delivery and reading."""

from __future__ import annotations

from binhyen.simulator import SimPage, SimulatorServer
from binhyen.simulator.testing import WebhookReceiver

from .helpers import OA_ID, USER_ID, fixture, send_text, shape

TOKEN = "initial-access-bmt"


def test_an_oa_message_is_echoed_with_its_message_id_then_received(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    sim.citizen_send_text(OA_ID, USER_ID, "Alo công an")

    message_id = send_text(sim.base_url, TOKEN, USER_ID, "Chúng tôi đã nhận tin")["data"][
        "message_id"
    ]

    [echo] = receiver.wait_for("oa_send_text")
    [receipt] = receiver.wait_for("user_received_message")
    assert echo.signature_ok and receipt.signature_ok
    assert echo.payload["message"]["msg_id"] == message_id
    assert echo.payload["sender"]["id"] == OA_ID and echo.payload["recipient"]["id"] == USER_ID
    assert "admin_id" not in echo.payload["sender"]  # sent through the API, not by a person
    assert shape(echo.payload) == shape(fixture("oa_send_text"))
    assert receipt.payload["message"] == {"msg_id": message_id}
    assert shape(receipt.payload) == shape(fixture("user_received_message"))


def test_the_phone_showing_replies_sends_one_seen_event_with_all_ids(
    sim: SimulatorServer, receiver: WebhookReceiver
) -> None:
    sim.citizen_send_text(OA_ID, USER_ID, "Alo")
    ids = [send_text(sim.base_url, TOKEN, USER_ID, t)["data"]["message_id"] for t in ("1", "2")]

    sim.citizen_sees(OA_ID, USER_ID)
    again = sim.citizen_sees(OA_ID, USER_ID)

    [seen] = receiver.events("user_seen_message")
    assert seen.signature_ok and again is None
    assert seen.payload["message"] == {"msg_ids": ids}
    assert shape(seen.payload) == shape(fixture("user_seen_message"))


def test_echo_and_receipts_can_be_switched_off(page: SimPage, receiver: WebhookReceiver) -> None:
    with SimulatorServer([page], receiver.url, echo=False, receipts=False) as server:
        server.citizen_send_text(OA_ID, USER_ID, "Alo")
        send_text(server.base_url, TOKEN, USER_ID, "Đã nhận")
        assert server.wait_idle()
        assert server.citizen_sees(OA_ID, USER_ID) is None

    assert [r.event_name for r in receiver.received] == ["user_send_text"]


def test_without_auto_delivery_events_wait_for_the_caller(
    page: SimPage, receiver: WebhookReceiver
) -> None:
    with SimulatorServer([page], receiver.url, auto_deliver=False) as server:
        server.citizen_send_text(OA_ID, USER_ID, "Alo")
        send_text(server.base_url, TOKEN, USER_ID, "Đã nhận")
        assert [r.event_name for r in receiver.received] == ["user_send_text"]

        delivered = server.deliver_pending()

    assert [d.event_name for d in delivered] == ["oa_send_text", "user_received_message"]
    assert all(d.status == 200 for d in delivered)
