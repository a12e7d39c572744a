"""The citizen's status page: code + password, plain words, anonymous two-way messages."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Case, Message
from binhyen.testing import PASSWORD
from binhyen.tips.tests.helpers import form_data, jpeg_with_gps


def _file_tip(client, **overrides) -> tuple[str, str]:
    body = client.post("/bao-tin/", form_data(**overrides)).content.decode()
    code = re.search(r'id="tip-code">([^<]+)<', body).group(1)
    password = re.search(r'id="tip-password">([^<]+)<', body).group(1)
    return code, password


def _open(client, code, password, **extra):
    return client.post("/bao-tin/tra-cuu/", {"code": code, "password": password}, **extra)


def _access(resp) -> tuple[str, str]:
    body = resp.content.decode()
    access = re.search(r'name="access" value="([^"]+)"', body).group(1)
    nonce = re.search(r'name="nonce" value="([^"]+)"', body).group(1)
    return access, nonce


def _send(client, access, nonce, text, **extra):
    return client.post(
        "/bao-tin/tra-cuu/nhan-tin/", {"access": access, "nonce": nonce, "text": text, **extra}
    )


def test_code_and_password_show_the_status_in_plain_words(world, web, client):
    code, password = _file_tip(client)
    resp = _open(client, code, password)
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "Đã tiếp nhận, đang chờ cán bộ xem xét." in body
    assert "Công an phường Tân An" in body
    assert Case.objects.get().code in body
    assert not resp.cookies


def test_code_is_accepted_as_people_type_it(world, web, client):
    code, password = _file_tip(client)
    sloppy = code.lower().replace("-", " ").replace("0", "o")
    assert _open(client, sloppy, password.lower()).status_code == 200


def test_wrong_password_gets_the_same_answer_as_an_unknown_code(world, web, client):
    code, password = _file_tip(client)
    wrong = _open(client, code, "AAAAA-AAAAA")
    unknown = _open(client, "ZZZZ-ZZZZ", password)
    assert wrong.status_code == unknown.status_code == 403
    assert "Mã tin báo hoặc mật khẩu không đúng." in wrong.content.decode()
    assert "Mã tin báo hoặc mật khẩu không đúng." in unknown.content.decode()


def test_wrong_passwords_are_throttled_and_then_even_the_right_one_waits(world, web, client):
    code, password = _file_tip(client)
    for _ in range(5):
        assert _open(client, code, "AAAAA-AAAAA").status_code == 403
    locked = _open(client, code, password)
    assert locked.status_code == 429
    assert "thử lại sau 15 phút" in locked.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert _open(client, code, password).status_code == 200


def test_one_client_spraying_codes_is_throttled(world, web, client):
    code, password = _file_tip(client)
    for i in range(30):
        _open(client, f"Z{i:03d}-ZZZZ", "AAAAA-AAAAA")
    assert _open(client, code, password).status_code == 429
    # Another network is not affected.
    assert _open(client, code, password, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_another_tips_code_with_this_password_is_useless(world, web, client):
    code_a, password_a = _file_tip(client, what="Tin thứ nhất về trộm cắp xe máy.")
    code_b, password_b = _file_tip(client, what="Tin thứ hai về đánh bạc ở quán nước.")
    assert _open(client, code_b, password_a).status_code == 403
    assert _open(client, code_a, password_b).status_code == 403
    body_b = _open(client, code_b, password_b).content.decode()
    assert "Tin thứ hai" in body_b and "Tin thứ nhất" not in body_b


def test_a_forged_access_token_cannot_post_to_another_tip(world, web, client):
    code, password = _file_tip(client)
    access, nonce = _access(_open(client, code, password))
    forged = access[:-3] + ("AAA" if not access.endswith("AAA") else "BBB")
    resp = _send(client, forged, nonce, "tin giả mạo")
    assert resp.status_code == 403
    assert not Message.objects.filter(text="tin giả mạo").exists()


def test_status_page_expires_after_thirty_minutes(world, web, client):
    code, password = _file_tip(client)
    access, nonce = _access(_open(client, code, password))
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        resp = _send(client, access, nonce, "còn đó không?")
    assert resp.status_code == 403
    assert "Phiên xem đã hết hạn" in resp.content.decode()


def test_citizen_follow_up_reaches_the_same_case(world, web, client):
    code, password = _file_tip(client)
    case = Case.objects.get()
    access, nonce = _access(_open(client, code, password))
    resp = _send(client, access, nonce, "Bọn họ vừa chạy về hướng cầu.")
    assert resp.status_code == 200
    assert "Đã gửi tin nhắn." in resp.content.decode()
    message = Message.objects.get(text="Bọn họ vừa chạy về hướng cầu.")
    assert message.case == case
    assert message.direction == Message.Direction.IN
    assert Case.objects.count() == 1


def test_reloading_after_sending_does_not_send_twice(world, web, client):
    code, password = _file_tip(client)
    access, nonce = _access(_open(client, code, password))
    _send(client, access, nonce, "Gửi một lần thôi.")
    _send(client, access, nonce, "Gửi một lần thôi.")
    assert Message.objects.filter(text="Gửi một lần thôi.").count() == 1


def test_citizen_can_add_a_photo_that_arrives_cleaned(world, web, client):
    code, password = _file_tip(client)
    access, nonce = _access(_open(client, code, password))
    photo = SimpleUploadedFile("x.jpg", jpeg_with_gps(artist="Chủ máy"), "image/jpeg")
    _send(client, access, nonce, "Ảnh biển số", uploads=photo)
    att = Message.objects.get(text="Ảnh biển số").attachments.get()
    with att.file.open("rb") as fh:
        assert "Chủ máy".encode() not in fh.read()


def test_officer_reply_appears_without_the_officers_name(world, web, client, drain):
    code, password = _file_tip(client)
    case = Case.objects.get()
    cases.case_reply(case=case, author=world.officer_tanan, text="Chúng tôi đã cử tổ công tác.")
    drain()
    body = _open(client, code, password).content.decode()
    assert "Chúng tôi đã cử tổ công tác." in body
    assert "Cán bộ Công an phường Tân An" in body
    assert str(world.officer_tanan) not in body


def test_queued_reply_is_not_shown_before_it_is_sent(world, web, client):
    code, password = _file_tip(client)
    cases.case_reply(case=Case.objects.get(), author=world.officer_tanan, text="Chưa gửi.")
    assert "Chưa gửi." not in _open(client, code, password).content.decode()


def test_officer_can_still_answer_a_citizen_who_checks_back_after_a_week(world, web, client):
    code, password = _file_tip(client)
    case = Case.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        _open(client, code, password)
        message = cases.case_reply(case=case, author=world.officer_tanan, text="Đã xác minh.")
    assert message.delivery == Message.Delivery.QUEUED


def test_follow_up_after_the_tip_was_closed_goes_to_the_same_commune(world, web, client):
    code, password = _file_tip(client)
    case = Case.objects.get()
    cases.case_classify(
        case=case,
        actor=world.officer_tanan,
        intent="tip",
        category="public_order",
        urgency="normal",
    )
    cases.case_resolve(case=case, actor=world.officer_tanan, outcome="administrative_handled")
    access, nonce = _access(_open(client, code, password))
    _send(client, access, nonce, "Hôm nay chúng lại tụ tập.")
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.unit == world.tanan
    assert case.code in new.events.get(kind="routed").text


def test_resolved_tip_says_its_outcome(world, web, client):
    code, password = _file_tip(client)
    case = Case.objects.get()
    cases.case_classify(
        case=case,
        actor=world.officer_tanan,
        intent="tip",
        category="public_order",
        urgency="normal",
    )
    cases.case_resolve(case=case, actor=world.officer_tanan, outcome="administrative_handled")
    body = _open(client, code, password).content.decode()
    assert "Đã giải quyết xong. Kết quả: Đã xử lý vi phạm hành chính." in body


def test_officer_sees_the_citizens_follow_up_in_the_console(world, web, client):
    code, password = _file_tip(client)
    access, nonce = _access(_open(client, code, password))
    _send(client, access, nonce, "Thêm chi tiết: xe màu đỏ.")
    case = Case.objects.get()
    client.login(username=world.officer_tanan.username, password=PASSWORD)
    body = client.get(f"/tin-bao/{case.pk}/").content.decode()
    assert "Thêm chi tiết: xe màu đỏ." in body


def test_the_citizen_sees_one_code_everywhere_and_it_opens_the_status_page(
    world, web, client, drain
):
    code, password = _file_tip(client)
    drain()
    case = Case.objects.get()
    assert case.code == code  # the success page's code is the case's code
    automatic = case.messages.filter(direction="out").values_list("text", flat=True)
    assert any(code in text for text in automatic)
    for typed in (code, code.removeprefix("TB-"), code.lower().replace("-", " ")):
        resp = _open(client, typed, password)
        assert resp.status_code == 200, typed
        body = resp.content.decode()
        assert code in body
        assert len(set(re.findall(r"\b[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", body))) == 1


def test_status_page_says_an_officer_replied(world, web, client, drain):
    code, password = _file_tip(client)
    case = Case.objects.get()
    cases.case_reply(case=case, author=world.officer_tanan, text="Chúng tôi đã nhận tin.")
    drain()
    body = _open(client, code, password).content.decode()
    assert "Đã tiếp nhận, đang chờ cán bộ xem xét." not in body
    assert "Cán bộ đã trả lời bạn" in body
