"""The whole loop against the Zalo simulator: citizen → case → officer reply → Zalo API.

Real HTTP to a local fake of Zalo; webhooks from it go through the real endpoint.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from binhyen.cases.models import Attachment, Case, CaseEvent, Message, NoticeTemplate
from binhyen.cases.models.notice import DEFAULT_NOTICES
from binhyen.cases.services import case_reply, message_resend
from binhyen.channels.models import ChannelAccount
from binhyen.channels.tasks import deliver_message

CITIZEN = "3456789012345678901"


@pytest.fixture(autouse=True)
def _no_automatic_acknowledgements(db):
    """These tests are about officers' replies: switch the automatic acknowledgements off (as
    an administrator can), so what Zalo receives does not depend on how triage reads the
    citizen's words. The acknowledgements have their own tests (test_notices.py)."""
    for code in ("ack_tip", "ack_question", "ack_feedback"):
        NoticeTemplate.objects.update_or_create(
            code=code,
            defaults={"description": code, "text": DEFAULT_NOTICES[code][1], "is_active": False},
        )


@pytest.fixture
def case(world, zalo_sim, drain):
    status, _ = zalo_sim.citizen_send_text(
        world.bmt_page.external_id, CITIZEN, "Có người lạ rình nhà tôi ở hẻm 12"
    )
    assert status == 200
    drain()
    return Case.objects.get()


def later(hours: float = 2):
    """Move the clock forward (retries are scheduled in the future, never slept on)."""
    return time_machine.travel(timezone.now() + timedelta(hours=hours), tick=True)


def _reply(world, case, text="Công an phường đã tiếp nhận, sẽ cử người tới ngay.", **kw):
    return case_reply(case=case, author=world.officer_bmt, text=text, **kw)


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (320, 240), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (12.0, 40.0, 47.0), 4: (108.0, 2.0, 15.0)}  # GPSInfo
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_text_reply_reaches_the_citizen_and_receipts_come_back(world, zalo_sim, case, drain):
    msg = _reply(world, case)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    [sent] = zalo_sim.sent
    assert sent["user_id"] == CITIZEN and sent["text"] == msg.text
    assert msg.provider_message_id == sent["message_id"]
    # Zalo echoes the message and reports delivery: no duplicate, state advances.
    zalo_sim.deliver_pending()
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.DELIVERED
    assert Message.objects.filter(direction=Message.Direction.OUT).count() == 1
    zalo_sim.citizen_sees(world.bmt_page.external_id, CITIZEN)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SEEN and msg.seen_at is not None
    assert CaseEvent.objects.filter(case=case, kind="reply_sent").exists()


def test_image_reply_is_uploaded_then_sent(world, zalo_sim, case, drain):
    msg = _reply(world, case, text="Ảnh đối tượng", image=("a.jpg", _jpeg_with_gps(), "image/jpeg"))
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    [sent] = zalo_sim.sent
    assert sent["kind"] == "image"


def test_citizen_photo_is_downloaded_without_its_gps_tags(world, zalo_sim, drain):
    zalo_sim.citizen_send_image(
        world.bmt_page.external_id, CITIZEN, _jpeg_with_gps(), caption="biển số xe"
    )
    drain()
    att = Attachment.objects.get()
    assert att.status == Attachment.Status.STORED
    assert att.content_type == "image/jpeg"
    with att.file.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert not stored.getexif()
    assert att.remote_url.startswith(zalo_sim.base_url)


def test_citizen_location_reaches_the_case_as_data(world, zalo_sim, drain):
    zalo_sim.citizen_send_location(world.bmt_page.external_id, CITIZEN, 12.6797, 108.0377)
    drain()
    msg = Case.objects.get().messages.get()
    assert (msg.latitude, msg.longitude) == (pytest.approx(12.6797), pytest.approx(108.0377))


def test_token_near_expiry_is_refreshed_before_sending(world, zalo_sim, case, drain):
    ChannelAccount.objects.filter(pk=world.bmt_page.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=5)
    )
    old_refresh = world.bmt_page.refresh_token
    msg = _reply(world, case)
    drain()
    msg.refresh_from_db()
    page = ChannelAccount.objects.get(pk=world.bmt_page.pk)
    assert msg.delivery == Message.Delivery.SENT
    assert page.refresh_token != old_refresh
    assert page.token_expires_at > timezone.now() + timedelta(hours=20)


@pytest.mark.parametrize("code", [-216, -220])
def test_rejected_token_is_refreshed_once_and_the_send_retried(world, zalo_sim, case, drain, code):
    zalo_sim.inject("/message/cs", code, times=1)
    msg = _reply(world, case)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    assert len(zalo_sim.sent) == 1
    assert ChannelAccount.objects.get(pk=world.bmt_page.pk).access_token != "at-24133"


def test_refresh_failure_fails_the_reply_and_flags_the_page(world, zalo_sim, case, drain):
    zalo_sim.inject("/message/cs", -216, times=1)
    zalo_sim.inject("/oa/access_token", -14002, times=1)
    msg = _reply(world, case)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.FAILED
    assert "quản trị viên" in msg.error_message
    assert ChannelAccount.objects.get(pk=world.bmt_page.pk).token_error
    assert zalo_sim.sent == []


@pytest.mark.parametrize("inject", [("error", -32), ("http", 503)])
def test_retryable_failure_is_retried_later_and_sent_once(world, zalo_sim, case, drain, inject):
    kind, value = inject
    if kind == "error":
        zalo_sim.inject("/message/cs", value, times=1)
    else:
        zalo_sim.inject_http("/message/cs", value, times=1)
    msg = _reply(world, case)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.QUEUED
    assert msg.next_attempt_at > timezone.now()
    assert "thử lại" in msg.error_message
    with later():
        drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    assert msg.attempts == 2
    assert len(zalo_sim.sent) == 1


def test_retries_stop_after_the_limit(world, zalo_sim, case, drain, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    zalo_sim.inject("/message/cs", -32, times=100)
    msg = _reply(world, case)
    for hours in (1, 2, 3, 4):
        with later(hours):
            drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.FAILED
    assert msg.attempts == 3


@pytest.mark.parametrize(
    "code,kind,words",
    [
        (-230, "window", "không nhận được"),
        (-201, "invalid", "từ chối"),
        (-223, "config", "cấu hình"),
        (-211, "quota", "hạn mức"),
    ],
)
def test_permanent_failure_stops_and_tells_the_officer(
    world, zalo_sim, case, drain, code, kind, words
):
    zalo_sim.inject("/message/cs", code, times=1)
    msg = _reply(world, case)
    drain()
    with later():
        drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.FAILED
    assert msg.error_kind == kind and msg.error_code == code
    assert words in msg.error_message
    assert msg.attempts == 1
    assert zalo_sim.sent == []
    assert CaseEvent.objects.filter(case=case, kind="reply_failed").exists()


def test_officer_can_resend_a_failed_reply(world, zalo_sim, case, drain):

    zalo_sim.inject("/message/cs", -201, times=1)
    msg = _reply(world, case)
    drain()
    message_resend(message=Message.objects.get(pk=msg.pk), actor=world.officer_bmt)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    assert len(zalo_sim.sent) == 1


def test_a_reply_is_never_sent_twice_by_duplicate_wakeups(world, zalo_sim, case, drain):
    msg = _reply(world, case)
    deliver_message.enqueue(msg.pk)
    deliver_message.enqueue(msg.pk)
    drain()
    assert len(zalo_sim.sent) == 1


def test_reply_to_anonymous_citizen_uses_the_anonymous_api(world, zalo_sim, drain):
    zalo_sim.citizen_send_anonymous_text(
        world.bmt_page.external_id,
        "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "6789012345678901234",
        "tôi muốn báo tin ẩn danh",
    )
    drain()
    case = Case.objects.get()
    msg = _reply(world, case, text="Cảm ơn bạn, chúng tôi đã tiếp nhận.")
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    assert zalo_sim.sent[0]["text"] == "Cảm ơn bạn, chúng tôi đã tiếp nhận."


def test_lost_answer_is_settled_from_zalo_history_without_resending(
    world, zalo_sim, case, drain, settings
):
    settings.ZALO_HTTP_TIMEOUT = 0.5
    zalo_sim.inject_delay("/message/cs", 1.5, times=1)
    msg = _reply(world, case)
    drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.UNCERTAIN
    # Zalo did take it (the delayed request completed): the history check finds it.
    with later(0.1):
        drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    assert len(zalo_sim.sent) == 1
    assert msg.provider_message_id == zalo_sim.sent[0]["message_id"]


def test_lost_request_not_in_zalo_history_is_sent_again(world, zalo_sim, case, drain, settings):
    settings.ZALO_HTTP_TIMEOUT = 0.5
    zalo_sim.inject_delay("/message/cs", 1.5, times=1)
    msg = _reply(world, case)
    drain()
    # Pretend Zalo dropped it: the simulator forgets the send.
    zalo_sim.sent.clear()
    for items in zalo_sim.conversations.values():
        items[:] = [i for i in items if i.direction != "out"]
    with later(0.1):
        drain()
    msg.refresh_from_db()
    assert msg.delivery == Message.Delivery.SENT
    assert len(zalo_sim.sent) == 1
