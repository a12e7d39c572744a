"""In real Chromium: an officer opens a question, edits the suggested answer and sends it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest

from binhyen.cases.models import Intent, Message
from binhyen.knowledge.models import Answer
from binhyen.testing import PASSWORD

CHROMIUM = os.environ.get("BINHYEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _require_browser() -> None:
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(f"Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def off_loop(fn: Callable[[], Any]) -> Any:
    """Database work from a plain thread: Playwright's sync API runs an event loop here."""
    from django.db import connections

    out: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if errors:
        raise errors[0]
    return out[0] if out else None


def test_officer_sends_a_suggested_answer_in_chromium(world, send, live_server):
    _require_browser()
    from playwright.sync_api import sync_playwright

    case = send("mat bang lai xe thi lam sao vay ad")
    assert case.intent == Intent.QUESTION
    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{base}/dang-nhap/")
            page.fill("input[name=username]", world.officer_bmt.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/**")
            page.goto(f"{base}/tin-bao/{case.pk}/")
            panel = page.locator("#knowledge")
            panel.get_by_text("Cấp lại giấy phép lái xe bị mất").first.wait_for()
            box = panel.locator("textarea").first
            assert "/thu-tuc/gplx-cap-lai/" in box.input_value()
            box.fill(box.input_value() + "\nCán bộ Bình chúc anh/chị làm thủ tục thuận lợi.")
            panel.get_by_role("button", name="Gửi câu trả lời này").first.click()
            page.get_by_text("Đã đưa câu trả lời vào hàng gửi.").wait_for()
        finally:
            context.close()
            browser.close()

    def check() -> None:
        answer = Answer.objects.select_related("procedure", "message").get(kind="officer")
        assert answer.procedure is not None and answer.procedure.slug == "gplx-cap-lai"
        assert answer.rank == 0
        out = Message.objects.get(pk=answer.message_id)
        assert out.text.endswith("thuận lợi.") and out.author_id == world.officer_bmt.pk

    off_loop(check)
