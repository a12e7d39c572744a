"""In real Chromium: an officer opens a question, edits the suggested answer and sends it."""

from __future__ import annotations

import pytest

from binhyen.cases.models import Intent, Message
from binhyen.knowledge.models import Answer
from binhyen.testing import PASSWORD, chromium_page, off_loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sends_a_suggested_answer_in_chromium(world, send, live_server):
    case = send("mat bang lai xe thi lam sao vay ad")
    assert case.intent == Intent.QUESTION
    base = live_server.url
    with chromium_page() as page:
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

    def check() -> None:
        answer = Answer.objects.select_related("procedure", "message").get(kind="officer")
        assert answer.procedure is not None and answer.procedure.slug == "gplx-cap-lai"
        assert answer.rank == 0
        out = Message.objects.get(pk=answer.message_id)
        assert out.text.endswith("thuận lợi.") and out.author_id == world.officer_bmt.pk

    off_loop(check)
