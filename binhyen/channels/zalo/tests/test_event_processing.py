"""Every Zalo event shape, through the real webhook and the worker."""

from __future__ import annotations

import json

import pytest

from binhyen.cases.models import Attachment, Case, CaseEvent, Contact, Conversation, Message
from binhyen.cases.services import case_close
from binhyen.channels.inbox import REDACTED_BODY, events_redact_expired
from binhyen.channels.models import InboundEvent
from binhyen.testing import post_zalo, secret_of, zalo_event
from binhyen.vault.models import Identity


@pytest.fixture
def send(world, client, drain):
    def _send(name: str, *, page=None, user_id: str = "3456789012345678901", **changes):
        page = page or world.bmt_page
        payload = zalo_event(name, page=page, user_id=user_id, **changes)
        resp = post_zalo(client, payload, secret=secret_of(page))
        assert resp.status_code == 200, resp.content
        drain()
        return payload

    return _send


def test_text_opens_a_case_in_the_page_unit(world, send):
    payload = send("user_send_text", text="Có nhóm thanh niên tụ tập gây rối ở công viên")
    case = Case.objects.get()
    assert case.unit == world.bmt
    assert case.channel_account == world.bmt_page
    assert case.status == Case.Status.RECEIVED
    assert case.summary.startswith("Có nhóm thanh niên")
    msg = case.messages.get(direction="in")
    assert msg.direction == Message.Direction.IN
    assert msg.provider_message_id == payload["message"]["msg_id"]
    assert CaseEvent.objects.filter(case=case, kind="opened").exists()


def test_later_messages_join_the_open_case(world, send):
    send("user_send_text", text="tin 1")
    send("user_send_text", text="tin 2")
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=Case.objects.get()).count() == 2


def test_message_after_case_closed_opens_a_new_case(world, send):
    send("user_send_text", text="tin 1")
    case_close(case=Case.objects.get(), actor=world.officer_bmt)
    send("user_send_text", text="tin mới")
    assert Case.objects.count() == 2
    assert Case.objects.filter(status=Case.Status.RECEIVED).get().summary == "tin mới"


def test_different_citizens_get_different_cases(world, send):
    send("user_send_text", user_id="111")
    send("user_send_text", user_id="222")
    assert Case.objects.count() == 2
    assert Contact.objects.count() == 2


def test_same_citizen_on_two_pages_is_two_contacts(world, send):
    send("user_send_text", page=world.bmt_page)
    send("user_send_text", page=world.tanan_page)
    assert Contact.objects.count() == 2
    assert {c.unit for c in Case.objects.all()} == {world.bmt, world.tanan}


def test_quote_reference_is_kept(world, send):
    payload = send("user_send_text_quote")
    assert (
        Message.objects.get(direction="in").quote_provider_id == payload["message"]["quote_msg_id"]
    )


def test_image_message_keeps_caption_and_queues_download(world, send):
    payload = send("user_send_image")
    msg = Message.objects.get(direction="in")
    assert msg.kind == Message.Kind.IMAGE
    assert msg.text == payload["message"]["text"]
    att = msg.attachments.get()
    assert att.remote_url == payload["message"]["attachments"][0]["payload"]["url"]
    # Zalo's CDN is not an allowed host in tests: the download is refused without network,
    # and the Zalo URL stays as the fallback link.
    assert att.status == Attachment.Status.FAILED
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "name,kind",
    [
        ("user_send_file", "file"),
        ("user_send_audio", "audio"),
        ("user_send_video", "video"),
        ("user_send_gif", "gif"),
    ],
)
def test_media_messages_are_stored_with_their_attachment(world, send, name, kind):
    send(name)
    msg = Message.objects.get(direction="in")
    assert msg.kind == kind
    assert msg.attachments.get().kind == kind
    assert Case.objects.count() == 1


def test_file_attachment_keeps_name_and_size(world, send):
    payload = send("user_send_file")
    att = Attachment.objects.get()
    p = payload["message"]["attachments"][0]["payload"]
    assert att.name == p["name"]
    assert att.size == int(p["size"])


def test_link_is_kept_as_a_link(world, send):
    send("user_send_link")
    att = Attachment.objects.get()
    assert att.kind == "link"
    assert att.status == Attachment.Status.REMOTE


def test_location_is_kept_as_data(world, send):
    payload = send("user_send_location")
    coords = payload["message"]["attachments"][0]["payload"]["coordinates"]
    msg = Message.objects.get(direction="in")
    assert msg.kind == Message.Kind.LOCATION
    assert msg.latitude == pytest.approx(float(coords["latitude"]))
    assert msg.longitude == pytest.approx(float(coords["longitude"]))
    assert msg.attachments.count() == 0
    assert Case.objects.count() == 1


def test_location_with_text_keeps_both(world, send):
    payload = send("user_send_location_text")
    msg = Message.objects.get(direction="in")
    assert msg.text == payload["message"]["text"]
    assert msg.latitude is not None


def test_location_with_coordinates_out_of_range_is_refused(world, client):
    payload = zalo_event("user_send_location", page=world.bmt_page)
    payload["message"]["attachments"][0]["payload"]["coordinates"]["latitude"] = "123.4"
    resp = post_zalo(client, payload, secret=secret_of(world.bmt_page))
    assert resp.status_code == 400


def test_sticker_alone_never_opens_a_case(world, send):
    send("user_send_sticker")
    assert Case.objects.count() == 0
    msg = Message.objects.get(direction="in")
    assert msg.kind == Message.Kind.STICKER
    assert msg.case is None


def test_sticker_joins_an_open_case(world, send):
    send("user_send_text")
    send("user_send_sticker")
    assert Case.objects.get().messages.filter(direction="in").count() == 2


def test_business_card_is_recorded(world, send):
    send("user_send_business_card")
    assert Message.objects.get(direction="in").kind == Message.Kind.BUSINESS_CARD


def test_reaction_is_ignored(world, send):
    send("user_reacted_message")
    assert InboundEvent.objects.get().status == InboundEvent.Status.IGNORED
    assert Message.objects.filter(direction="in").count() == 0


def test_follow_and_unfollow_track_the_follower_without_a_case(world, send):
    send("follow")
    contact = Contact.objects.get()
    assert contact.is_follower is True
    assert contact.conversation.last_inbound_at is not None  # following opens the window
    send("unfollow")
    contact.refresh_from_db()
    assert contact.is_follower is False
    assert Case.objects.count() == 0
    assert Message.objects.filter(direction="in").count() == 0


def test_follow_and_later_message_are_the_same_contact(world, send):
    send("follow")
    send("user_send_text")
    assert Contact.objects.count() == 1


def test_receipts_never_open_cases(world, send):
    send("user_received_message")
    send("user_seen_message")
    assert Case.objects.count() == 0
    assert Message.objects.filter(direction="in").count() == 0


def test_seen_receipt_marks_every_listed_message_seen(world, send):
    send("user_send_text")
    case = Case.objects.get()
    ids = ["8f5a9e7d4c3b2a1f0e9d", "9a6b0f8e5d4c3b2a1f0e"]
    for pid in ids:
        Message.objects.create(
            conversation=case.conversation,
            case=case,
            direction=Message.Direction.OUT,
            text="x",
            provider_message_id=pid,
            delivery=Message.Delivery.SENT,
        )
    send("user_seen_message")  # fixture carries exactly these two msg_ids
    out = Message.objects.filter(direction=Message.Direction.OUT, provider_message_id__in=ids)
    assert {m.delivery for m in out} == {Message.Delivery.SEEN}
    assert all(m.seen_at is not None for m in out)


def test_received_receipt_marks_delivered(world, send, client, drain):
    send("user_send_text")
    case = Case.objects.get()
    m = Message.objects.create(
        conversation=case.conversation,
        case=case,
        direction=Message.Direction.OUT,
        text="x",
        provider_message_id="abc123",
        delivery=Message.Delivery.SENT,
    )
    payload = zalo_event("user_received_message", page=world.bmt_page, fresh_id=False)
    payload["message"]["msg_id"] = "abc123"
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    m.refresh_from_db()
    assert m.delivery == Message.Delivery.DELIVERED


def test_echo_of_admin_message_typed_in_zalo_tool_is_added_to_the_thread(world, send):
    send("user_send_text")
    payload = send("oa_send_text_admin")
    out = Message.objects.exclude(author_label="Tin nhắn tự động").get(
        direction=Message.Direction.OUT
    )
    assert out.text == payload["message"]["text"]
    assert "công cụ Zalo" in out.author_label
    assert out.case == Case.objects.get()
    assert CaseEvent.objects.filter(kind="reply_outside").exists()


def test_echo_of_our_own_reply_is_not_duplicated(world, send, client, drain):
    send("user_send_text")
    case = Case.objects.get()
    ours = Message.objects.create(
        conversation=case.conversation,
        case=case,
        direction=Message.Direction.OUT,
        text="Chúng tôi đã nhận",
        provider_message_id="ourid",
        delivery=Message.Delivery.SENT,
    )
    payload = zalo_event("oa_send_text", page=world.bmt_page, fresh_id=False)
    payload["message"]["msg_id"] = "ourid"
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    assert (
        Message.objects.exclude(author_label="Tin nhắn tự động")
        .filter(direction=Message.Direction.OUT)
        .count()
        == 1
    )
    ours.refresh_from_db()
    assert ours.delivery == Message.Delivery.SENT


def test_echo_settles_a_send_whose_answer_was_lost(world, send, client, drain):
    send("user_send_text")
    case = Case.objects.get()
    lost = Message.objects.create(
        conversation=case.conversation,
        case=case,
        direction=Message.Direction.OUT,
        text="Đã tiếp nhận",
        delivery=Message.Delivery.UNCERTAIN,
    )
    payload = zalo_event("oa_send_text", page=world.bmt_page, text="Đã tiếp nhận")
    post_zalo(client, payload, secret=secret_of(world.bmt_page))
    drain()
    lost.refresh_from_db()
    assert lost.delivery == Message.Delivery.SENT
    assert lost.provider_message_id == payload["message"]["msg_id"]
    assert (
        Message.objects.exclude(author_label="Tin nhắn tự động")
        .filter(direction=Message.Direction.OUT)
        .count()
        == 1
    )


@pytest.mark.parametrize("name", ["oa_send_image", "oa_send_file"])
def test_media_echoes_from_the_page_are_recorded(world, send, name):
    send("user_send_text")
    send(name)
    out = Message.objects.exclude(author_label="Tin nhắn tự động").get(
        direction=Message.Direction.OUT
    )
    assert out.attachments.count() == 1


def test_submitted_info_goes_to_the_vault_not_the_thread(world, send):
    payload = send("user_submit_info")
    msg = Message.objects.get(direction="in")
    assert msg.kind == Message.Kind.CONTACT_INFO
    assert payload["info"]["phone"] not in msg.text
    assert payload["info"]["name"] not in msg.text
    identity = Contact.objects.get().identity
    assert identity.data["phone"] == payload["info"]["phone"]
    assert identity.data["address"] == payload["info"]["full_address"]["user_address"]


def test_legacy_submitted_info_is_parsed_too(world, send):
    payload = send("user_submit_info_legacy")
    identity = Contact.objects.get().identity
    assert identity.data["name"] == payload["info"]["name"]


def test_anonymous_text_opens_a_case_keyed_on_the_conversation(world, send):
    payload = send("anonymous_send_text")
    contact = Contact.objects.get()
    assert contact.kind == Contact.Kind.ZALO_ANONYMOUS
    assert contact.identity.data["zalo_conversation_id"] == payload["message"]["conversation_id"]
    assert Case.objects.count() == 1


def test_anonymous_image_joins_the_same_anonymous_conversation(world, send):
    send("anonymous_send_text")
    send("anonymous_send_image")
    assert Contact.objects.count() == 1
    assert Case.objects.get().messages.filter(direction="in").count() == 2


def test_user_withdraw_erases_identity_but_keeps_the_case(world, send):
    send("user_send_text")
    send("user_withdraw")
    contact = Contact.objects.get()
    identity = Identity.objects.get(pk=contact.identity_id)
    assert identity.data is None
    assert identity.erased_at is not None
    assert Case.objects.get().messages.filter(direction="in").count() == 1
    assert CaseEvent.objects.filter(kind="identity_erased").exists()


def test_chat_now_opens_the_reply_window_without_a_case(world, send):
    send("user_click_chatnow")
    assert Conversation.objects.get().last_inbound_at is not None
    assert Case.objects.count() == 0


def test_contact_pseudonym_hides_the_zalo_id(world, send):
    payload = send("user_send_text")
    contact = Contact.objects.get()
    assert payload["sender"]["id"] not in contact.pseudonym
    assert payload["sender"]["id"] not in contact.key_hash
    assert contact.pseudonym.startswith("Người báo tin #")


def test_withdraw_redacts_that_persons_raw_events_only(world, send):

    send("user_send_text")
    send("user_send_text", user_id="999")
    send("user_withdraw")
    redacted = InboundEvent.objects.filter(redacted_at__isnull=False)
    assert redacted.count() == 2  # the person's message and the withdraw event itself
    assert all(e.body == REDACTED_BODY for e in redacted)
    assert InboundEvent.objects.filter(redacted_at__isnull=True).count() == 1


def test_a_message_after_withdrawal_starts_a_new_unknown_contact(world, send):
    send("user_send_text")
    send("user_withdraw")
    send("user_send_text")
    assert Contact.objects.count() == 2


def test_raw_bodies_are_redacted_after_the_retention_period(world, send, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    send("user_send_text")
    settings.INBOUND_RETENTION_DAYS = 30
    assert events_redact_expired() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert events_redact_expired() == 1
    assert InboundEvent.objects.get().redacted_at is not None


def test_a_message_sent_after_withdrawing_is_not_lost_when_processed_late(world, client, drain):
    """Found by the webhook fuzzer: a withdrawal redacted the person's later, still
    unprocessed events, which then failed and were parked (lost)."""
    page, secret = world.bmt_page, secret_of(world.bmt_page)
    before = zalo_event("user_send_text", page=page, text="tin trước khi rút")
    withdraw = zalo_event("user_withdraw", page=page)
    after = zalo_event("user_send_text", page=page, text="tin nhắn mới sau khi rút")
    for payload in (before, withdraw, after):  # received together, processed later
        assert post_zalo(client, payload, secret=secret).status_code == 200
    drain()
    assert set(InboundEvent.objects.values_list("status", flat=True)) <= {"processed", "ignored"}
    assert Message.objects.filter(text="tin nhắn mới sau khi rút").exists()
    later = InboundEvent.objects.get(key=f"user_send_text:{after['message']['msg_id']}")
    assert later.redacted_at is None


def test_a_text_with_a_nul_character_is_stored_without_it(world, client, drain):
    """PostgreSQL text cannot hold NUL: the event failed until parked (a lost message)."""
    payload = zalo_event("user_send_text", page=world.bmt_page, text="xe\u0000 máy bị trộm")
    assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200
    drain()
    assert Message.objects.get(direction="in").text == "xe máy bị trộm"


def test_every_recorded_zalo_event_has_a_handler_or_is_knowingly_ignored():
    from binhyen.channels.zalo.handlers import handler_for
    from binhyen.testing import FIXTURES

    ignored = {"user_reacted_message", "add_user_to_tag"}
    names = {json.loads(p.read_text())["event_name"] for p in FIXTURES.glob("*.json")}
    unhandled = {n for n in names if handler_for(n) is None}
    assert unhandled <= ignored, unhandled - ignored
    assert handler_for("user_send_a_kind_zalo_adds_later") is not None
    assert handler_for("something_else") is None
