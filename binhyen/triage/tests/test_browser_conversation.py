"""In real Chromium: a question sent after a knife report is its own case in the officer's
console, and the officer splits another message off with one click."""

from __future__ import annotations

import pytest

from binhyen.cases.models import Case, Message
from binhyen.testing import CHROMIUM, CHROMIUM_ARGS, PASSWORD, off_loop, require_browser
from binhyen.triage.tests.test_conversation import KNIFE, QUESTION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_question_after_a_tip_is_its_own_case_and_the_officer_splits_with_one_click(
    transactional_db, world, send, live_server
):
    require_browser()
    from playwright.sync_api import sync_playwright

    tip = send(KNIFE, page=world.tanan_page)
    question = send(QUESTION, page=world.tanan_page)
    other = "À còn một chuyện nữa: nhà bên cạnh hay mở nhạc to đến nửa đêm"
    assert send(other, page=world.tanan_page).pk == tip.pk
    tip.refresh_from_db()
    question.refresh_from_db()
    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{base}/dang-nhap/")
            page.fill("input[name=username]", world.officer_tanan.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/tin-bao/**")
            inbox = page.content()
            assert tip.code in inbox and question.code in inbox
            assert tip.code.startswith("TB-") and question.code.startswith("HD-")

            page.goto(f"{base}/tin-bao/{tip.pk}/")
            assert page.get_by_text(QUESTION).count() == 0  # not in the tip's thread
            assert page.locator(f"a:has-text('{question.code}')").count() >= 1
            bubble = page.locator("li.msg", has_text="mở nhạc to")
            bubble.get_by_role("button", name="Tách thành vụ việc mới").click()
            page.locator("p.notice", has_text="Tách từ vụ việc").wait_for()
            assert tip.code in page.content()
        finally:
            context.close()
            browser.close()

    moved = off_loop(lambda: Message.objects.select_related("case").get(text=other))
    assert moved.case_id not in (tip.pk, question.pk)
    assert off_loop(lambda: Case.objects.get(pk=moved.case_id).split_from_id) == tip.pk
