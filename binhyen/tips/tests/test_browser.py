"""In real Chromium, on a phone-sized screen with JavaScript switched off: a citizen files an
anonymous tip, keeps the code and password, the tip reaches the commune's inbox, and the
citizen and the officer exchange messages through the status page."""

from __future__ import annotations

import pytest

from binhyen.cases import services as cases
from binhyen.cases.models import Case, Message
from binhyen.testing import CHROMIUM, CHROMIUM_ARGS, off_loop, require_browser
from binhyen.tips import spam
from binhyen.tips.tests.helpers import jpeg_with_gps

PHONE = {"width": 360, "height": 740}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_tip_from_a_phone_without_javascript(
    transactional_db, world, web, live_server, drain, monkeypatch, tmp_path
):
    require_browser()
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(spam, "MIN_FILL_SECONDS", 0.0)  # the robot types faster than people
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(jpeg_with_gps())
    base = live_server.url

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{base}/bao-tin/")
            submit = page.locator("button[type=submit]")
            box = submit.bounding_box()
            assert box is not None and box["x"] + box["width"] <= PHONE["width"]
            page.get_by_label("Chuyện gì đã xảy ra?").fill(
                "Nhóm thanh niên cầm dao tụ tập trước cổng trường mầm non."
            )
            page.get_by_label("Ở xã, phường nào?").select_option("24163")
            page.get_by_label("Địa chỉ, nơi xảy ra").fill("Cổng trường mầm non Hoa Sen")
            page.get_by_label("Đang xảy ra").check()
            page.set_input_files("#id_uploads", str(photo))
            assert page.get_by_label(
                "Gửi ẩn danh — tôi không để lại thông tin nào về mình"
            ).is_checked()
            submit.click()
            page.wait_for_url(f"{base}/bao-tin/")
            code = page.locator("#tip-code").inner_text()
            password = page.locator("#tip-password").inner_text()
            assert not context.cookies()

            case = off_loop(lambda: Case.objects.select_related("unit").get())
            assert case.unit == world.tanan and case.is_anonymous

            def reply() -> None:
                cases.case_reply(
                    case=Case.objects.get(pk=case.pk),
                    author=world.officer_tanan,
                    text="Tổ tuần tra đang tới. Họ còn ở đó không?",
                )
                drain()

            off_loop(reply)

            page.goto(f"{base}/bao-tin/tra-cuu/")
            page.get_by_label("Mã tin báo").fill(code)
            page.get_by_label("Mật khẩu").fill(password)
            page.locator("button[type=submit]").click()
            page.get_by_text("Tổ tuần tra đang tới. Họ còn ở đó không?").wait_for()
            assert "Công an phường Tân An" in page.content()
            # One code: the one on the success page is the one the status page shows, and
            # the officer's status words say a reply came.
            assert code == case.code and code in page.locator(".status-box").inner_text()
            assert "Cán bộ đã trả lời bạn" in page.locator(".status-words").inner_text()

            page.get_by_label("Nhắn cho cán bộ").fill("Còn, khoảng mười người, đi xe máy.")
            page.locator("button[type=submit]").click()
            page.get_by_text("Đã gửi tin nhắn.").wait_for()
            assert not context.cookies()
        finally:
            context.close()
            browser.close()

    followup = Message.objects.get(text="Còn, khoảng mười người, đi xe máy.")
    assert followup.case_id == case.pk


def test_phone_form_searches_places_without_diacritics_and_follows_the_anonymous_choice(
    transactional_db, world, web, live_server, monkeypatch
):
    require_browser()
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(spam, "MIN_FILL_SECONDS", 0.0)
    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{base}/bao-tin/")
            place = page.locator("#id_place")
            everything = place.locator("option").count()
            assert everything > 300
            search = page.get_by_label("Tìm xã, phường (gõ tên mới hoặc cũ, không cần dấu)")
            search.fill("tan loi")
            labels = place.locator("option").all_inner_texts()
            assert any(label.startswith("Phường Tân Lợi (cũ") for label in labels)
            assert len([x for x in labels if x.strip() and not x.startswith("—")]) < 5
            search.fill("cu mgar")
            assert any("Cư M'gar" in x for x in place.locator("option").all_inner_texts())
            search.fill("tan an")
            place.select_option("24163")
            search.fill("")
            assert place.locator("option").count() == everything
            assert place.input_value() == "24163"  # the choice survives clearing the search

            name = page.get_by_label("Họ và tên")
            phone = page.get_by_label("Số điện thoại")
            assert not name.is_visible() and not phone.is_visible()
            page.get_by_label("Để lại thông tin liên hệ để cán bộ có thể liên lạc").check()
            assert name.is_visible() and phone.is_visible()
            page.get_by_label("Gửi ẩn danh — tôi không để lại thông tin nào về mình").check()
            assert not name.is_visible()

            page.get_by_label("Chuyện gì đã xảy ra?").fill("Có người lạ lảng vảng trước cổng.")
            page.locator("button[type=submit]").click()
            page.locator("#tip-code").wait_for()
        finally:
            context.close()
            browser.close()
    case = off_loop(lambda: Case.objects.select_related("unit").get())
    assert case.unit == world.tanan and case.is_anonymous
