"""The public web form: a second door into the same inbox, safe for the tipster."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from binhyen.cases.models import Attachment, Case, Message
from binhyen.testing import PASSWORD
from binhyen.tips.models import Tip
from binhyen.tips.places import picker_groups
from binhyen.tips.tests.helpers import form_data, jpeg_with_gps, mp4_with_location

PHONE_UA = "Mozilla/5.0 (Linux; Android 8.1; itel A16) Mobile Safari/537.36"


def _post(client, **overrides):
    files = overrides.pop("files", None)
    data = form_data(**overrides)
    if files is not None:
        data["uploads"] = files
    return client.post("/bao-tin/", data, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT=PHONE_UA)


def _credentials(resp) -> tuple[str, str]:
    body = resp.content.decode()
    code = re.search(r'id="tip-code">([^<]+)<', body).group(1)
    password = re.search(r'id="tip-password">([^<]+)<', body).group(1)
    return code, password


def test_form_is_vietnamese_and_works_without_javascript(world, web, client):
    resp = client.get("/bao-tin/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert '<html lang="vi">' in body
    assert '<form method="post" enctype="multipart/form-data"' in body
    assert 'type="submit"' in body
    # Every visible input has a label tied to it.
    for field in ("what", "place", "address", "location", "uploads", "name", "phone"):
        assert f'for="id_{field}"' in body
    assert "Gửi ẩn danh" in body


def test_form_offers_current_and_former_place_names(world, web, client):
    body = client.get("/bao-tin/").content.decode()
    assert "Phường Tân An</option>" in body
    assert "Phường Tân Lợi (cũ, Thành phố Buôn Ma Thuột)" in body
    assert "Huyện Cư M&#x27;gar (cũ)" in body or "Huyện Cư M'gar (cũ)" in body


def test_public_pages_set_no_cookie_and_are_not_cached(world, web, client):
    for resp in (client.get("/bao-tin/"), _post(client)):
        assert not resp.cookies
        assert "no-store" in resp["Cache-Control"]
        assert resp["Referrer-Policy"] == "no-referrer"
        assert "default-src 'self'" in resp["Content-Security-Policy"]
    assert connection.introspection.table_names()  # sanity
    from django.contrib.sessions.models import Session

    assert Session.objects.count() == 0


def test_anonymous_tip_lands_in_the_chosen_communes_inbox(world, web, client):
    resp = _post(client, place="24163")
    assert resp.status_code == 200
    code, password = _credentials(resp)
    assert re.fullmatch(r"TB-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", password)
    case = Case.objects.get()
    assert case.unit == world.tanan
    assert case.received_by_unit == world.province
    assert case.channel_account == web
    assert case.is_anonymous and case.is_protected
    assert case.events.filter(kind="routed", text__contains="Phường Tân An").exists()
    assert case.clocks.exists()  # the same clocks as any message
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    assert case.code in client.get("/tin-bao/").content.decode()


def test_tip_code_and_password_are_stored_only_as_hashes(world, web, client):
    code, password = _credentials(_post(client))
    tip = Tip.objects.get()
    assert code.replace("-", "") not in tip.code_hash
    assert password not in tip.password_hash
    assert password.replace("-", "") not in tip.password_hash


def test_former_place_name_routes_to_the_commune_that_absorbed_it(world, web, client):

    former = next(
        o for _g, opts in picker_groups() for o in opts if o.label.startswith("Phường Tân Lợi")
    )
    _post(client, place=former.value)
    case = Case.objects.get()
    assert case.unit == world.bmt
    assert "Phường Tân Lợi" in case.events.get(kind="routed").text


def test_map_pin_routes_when_no_commune_is_chosen(world, web, client):
    _post(client, place="", address="", location="12.7203, 108.1100")
    case = Case.objects.get()
    assert case.unit == world.tanan
    message = case.messages.get()
    assert (message.latitude, message.longitude) == (12.7203, 108.11)


def test_tip_without_a_place_stays_with_the_page_that_received_it(world, web, client):
    _post(client, place="", address="", location="")
    assert Case.objects.get().unit == world.province


def test_named_tip_keeps_contact_details_in_the_vault_only(world, web, client):
    resp = _post(
        client,
        anonymous="no",
        name="Trần Thị Kín",
        phone="0905 111 222",
        email="kin@example.vn",
        contact_address="12 Ngõ Vắng",
        secrecy="on",
    )
    assert resp.status_code == 200
    case = Case.objects.get()
    assert not case.is_anonymous and case.secrecy_requested and case.is_protected
    assert case.contact.identity.data == {
        "name": "Trần Thị Kín",
        "phone": "0905 111 222",
        "email": "kin@example.vn",
        "address": "12 Ngõ Vắng",
    }
    text = case.messages.get().text
    for secret in ("Trần Thị Kín", "0905 111 222", "kin@example.vn", "Ngõ Vắng"):
        assert secret not in text
        assert secret not in case.summary
    assert "đề nghị giữ bí mật" in text


def test_contact_details_with_the_anonymous_choice_are_refused_next_to_the_field(
    world, web, client
):
    resp = _post(client, anonymous="yes", phone="0905111222")
    body = resp.content.decode()
    assert resp.status_code == 400
    assert not Case.objects.exists()
    assert 'id="id_phone_error"' in body
    assert 'aria-invalid="true"' in body
    assert "Bạn đã chọn gửi ẩn danh" in body
    assert 'href="#id_phone"' in body  # the summary links to the field


def test_named_tip_without_any_contact_is_refused(world, web, client):
    resp = _post(client, anonymous="no")
    assert resp.status_code == 400
    assert "Hãy để lại số điện thoại" in resp.content.decode()


def test_missing_description_is_reported_next_to_the_field(world, web, client):
    resp = _post(client, what="   ")
    body = resp.content.decode()
    assert resp.status_code == 400
    assert 'id="id_what_error"' in body
    assert "Hãy cho biết chuyện gì đã xảy ra." in body


def test_bad_coordinates_are_explained(world, web, client):
    resp = _post(client, location="51.5, -0.12")
    assert resp.status_code == 400
    assert "không nằm trong lãnh thổ Việt Nam" in resp.content.decode()


def test_photo_is_stored_without_exif_or_gps_and_without_its_file_name(world, web, client):
    photo = SimpleUploadedFile(
        "IMG_Nguyen_Van_A_home.jpg", jpeg_with_gps(artist="Nguyễn Văn A"), "image/jpeg"
    )
    _post(client, files=[photo])
    att = Attachment.objects.get()
    assert att.status == Attachment.Status.STORED
    assert att.content_type == "image/jpeg"
    assert "Nguyen" not in att.name and "Nguyen" not in att.file.name
    with att.file.open("rb") as fh:
        content = fh.read()
    with Image.open(io.BytesIO(content)) as img:
        assert not img.getexif()
    assert "Nguyễn Văn A".encode() not in content


def test_video_is_stored_without_its_location(world, web, client):
    video = SimpleUploadedFile("clip.mp4", mp4_with_location(b"+12.7203+108.1100/"), "video/mp4")
    _post(client, files=[video])
    att = Attachment.objects.get()
    assert (att.kind, att.content_type) == ("video", "video/mp4")
    with att.file.open("rb") as fh:
        assert b"+12.7203+108.1100/" not in fh.read()


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"%PDF-1.4 a document", b"MZ\x90\x00exe"],
)
def test_file_that_is_not_a_photo_or_video_is_refused_whatever_its_name(
    world, web, client, content
):
    resp = _post(client, files=[SimpleUploadedFile("photo.jpg", content, "image/jpeg")])
    assert resp.status_code == 400
    assert "Chỉ nhận ảnh" in resp.content.decode()
    assert not Case.objects.exists()


def test_too_many_files_are_refused(world, web, client):
    files = [SimpleUploadedFile(f"p{i}.jpg", jpeg_with_gps(), "image/jpeg") for i in range(5)]
    resp = _post(client, files=files)
    assert resp.status_code == 400
    assert "tối đa 4" in resp.content.decode()


def test_oversized_upload_is_refused_before_it_is_read(world, web, client):
    resp = client.post(
        "/bao-tin/",
        b"x" * 10,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert resp.status_code == 413
    assert not Tip.objects.exists()


def test_nothing_about_the_connection_is_kept_with_the_tip(world, web, client):
    _post(client, anonymous="no", phone="0905111222")
    tip = Tip.objects.get()
    case = Case.objects.get()
    stored = " ".join(
        str(v)
        for row in (
            Tip.objects.values().get(),
            Case.objects.values().get(),
            Message.objects.values().get(),
        )
        for v in row.values()
    )
    assert "203.0.113.77" not in stored
    assert "Android" not in stored and "itel" not in stored
    assert tip.case == case


def test_form_is_closed_when_no_web_door_is_configured(world, client):
    resp = client.get("/bao-tin/")
    assert resp.status_code == 503


def test_video_is_refused_not_kept_as_it_came_when_it_cannot_be_cleaned(
    world, web, client, settings
):
    settings.FFMPEG = "/nonexistent/ffmpeg"
    video = SimpleUploadedFile("clip.mp4", mp4_with_location(b"+12.7203+108.1100/"), "video/mp4")
    resp = _post(client, files=[video])
    assert resp.status_code == 400
    assert "chưa nhận được video" in resp.content.decode()
    assert not Case.objects.exists()
