"""The officer console: inbox, case page, replying, closing, attachments."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from binhyen.cases.models import Attachment, Case, CaseEvent, Message
from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.testing import PASSWORD


@pytest.fixture
def case(world):
    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:7",
            contact_kind="zalo_user",
            provider_message_id="m1",
            kind="text",
            text="Có <script>alert(1)</script> trộm xe",
            sent_at=timezone.now(),
            identity={"zalo_user_id": "7"},
        )
    )
    return Case.objects.get()


@pytest.fixture
def officer(world, client):
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    return client


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def test_login_page_is_vietnamese(client):
    resp = client.get("/dang-nhap/")
    assert resp.status_code == 200
    assert "Đăng nhập" in resp.content.decode()


def test_inbox_shows_the_case_escaped(case, officer):
    body = officer.get("/tin-bao/").content.decode()
    assert case.code in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_case_page_shows_thread_and_marks_read(case, officer):
    resp = officer.get(f"/tin-bao/{case.pk}/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "trộm xe" in body and "<script>alert" not in body
    assert "Nhắn miễn phí" in body
    case.refresh_from_db()
    assert case.unread is False


def test_reply_from_console_is_queued_and_counts_as_acknowledgement(world, case, officer):
    resp = officer.post(
        f"/tin-bao/{case.pk}/tra-loi/", {"text": "Đã tiếp nhận", "client_token": "t1"}
    )
    assert resp.status_code == 302
    out = Message.objects.get(direction=Message.Direction.OUT)
    assert out.delivery == Message.Delivery.QUEUED
    assert out.author == world.officer_bmt
    case.refresh_from_db()
    assert case.acknowledged_by == world.officer_bmt
    assert case.first_response_at is not None
    assert CaseEvent.objects.filter(case=case, kind="reply_queued").exists()


def test_double_submitted_reply_is_queued_once(case, officer):
    for _ in range(2):
        officer.post(
            f"/tin-bao/{case.pk}/tra-loi/", {"text": "Đã tiếp nhận", "client_token": "same"}
        )
    assert Message.objects.filter(direction=Message.Direction.OUT).count() == 1


def test_reply_with_photo_stores_the_image(case, officer):
    photo = SimpleUploadedFile("anh.jpg", _jpeg(), content_type="image/jpeg")
    officer.post(f"/tin-bao/{case.pk}/tra-loi/", {"text": "", "image": photo, "client_token": "p"})
    out = Message.objects.get(direction=Message.Direction.OUT)
    assert out.kind == Message.Kind.IMAGE
    assert out.attachments.get().file


def test_reply_with_fake_image_is_refused(case, officer):
    fake = SimpleUploadedFile("anh.jpg", b"not an image at all", content_type="image/jpeg")
    resp = officer.post(f"/tin-bao/{case.pk}/tra-loi/", {"image": fake}, follow=True)
    assert Message.objects.filter(direction=Message.Direction.OUT).count() == 0
    assert resp.status_code == 200


def test_empty_reply_is_refused_with_a_message(case, officer):
    resp = officer.post(f"/tin-bao/{case.pk}/tra-loi/", {"text": "   "}, follow=True)
    assert "Nhập nội dung" in resp.content.decode()
    assert Message.objects.filter(direction=Message.Direction.OUT).count() == 0


def test_close_and_reopen_write_the_timeline(world, case, officer):
    officer.post(f"/tin-bao/{case.pk}/xu-ly/", {"action": "close", "reason": "tin rác"})
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_at
    officer.post(f"/tin-bao/{case.pk}/xu-ly/", {"action": "reopen", "reason": "người dân báo thêm"})
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    kinds = [k for k in case.events.values_list("kind", flat=True) if not k.startswith("clock")]
    assert kinds == ["opened", "acknowledged", "status:close", "status:reopen"]


def test_done_tab_lists_finished_cases(world, case, officer):
    officer.post(f"/tin-bao/{case.pk}/xu-ly/", {"action": "close"})
    assert case.code not in officer.get("/tin-bao/").content.decode()
    assert case.code in officer.get("/tin-bao/?status=done").content.decode()


def test_mine_tab_lists_cases_assigned_to_me(world, case, officer):
    assert case.code not in officer.get("/tin-bao/?status=mine").content.decode()
    officer.post(f"/tin-bao/{case.pk}/xu-ly/", {"action": "claim"})
    assert case.code in officer.get("/tin-bao/?status=mine").content.decode()


def test_refused_action_shows_the_reason(world, case, officer):
    resp = officer.post(
        f"/tin-bao/{case.pk}/xu-ly/", {"action": "resume", "reason": "x"}, follow=True
    )
    assert "Không thể" in resp.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED


def test_classify_from_console_then_resolve(world, case, officer):
    officer.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "classify", "intent": "tip", "category": "theft_robbery", "urgency": "high"},
    )
    officer.post(f"/tin-bao/{case.pk}/xu-ly/", {"action": "start_verification"})
    officer.post(
        f"/tin-bao/{case.pk}/xu-ly/",
        {"action": "resolve", "outcome": "administrative_handled", "reason": "phạt hành chính"},
    )
    case.refresh_from_db()
    assert (case.intent, case.category, case.urgency) == ("tip", "theft_robbery", "high")
    assert case.status == Case.Status.RESOLVED
    assert case.outcome == "administrative_handled"
    assert case.decided_at and case.closed_at


def test_attachment_is_served_with_safe_headers(case, officer):
    from django.core.files.base import ContentFile

    msg = case.messages.first()
    att = Attachment(
        message=msg,
        token="abc",
        kind="file",
        content_type="application/pdf",
        name="don.pdf",
        status="stored",
    )
    att.file.save("don.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    resp = officer.get("/tin-bao/tep/abc/")
    assert resp.status_code == 200
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Content-Disposition"].startswith("attachment")


def test_location_message_shows_a_map_pin(world, case, officer):
    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:7",
            contact_kind="zalo_user",
            provider_message_id="m2",
            kind="location",
            text="",
            sent_at=timezone.now(),
            latitude=12.6797,
            longitude=108.0377,
        )
    )
    body = officer.get(f"/tin-bao/{case.pk}/").content.decode()
    assert "12.67970" in body and "openstreetmap.org" in body
