"""In real Chromium: the machine's reading is in words, and an unsure one looks unsure
(dashed amber panel, the choice open, no primary confirm button) (issue 11)."""

from __future__ import annotations

import pytest

from binhyen.testing import PHONE, chromium_page, console_login, off_loop
from binhyen.triage.models import Suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEFT = "Tối qua nhà em ở chợ Tân An bị trộm mất xe máy, mong công an xác minh giúp"


def test_an_unsure_reading_looks_unsure_on_a_phone(transactional_db, world, send, live_server):
    case = send(THEFT, page=world.tanan_page)
    s = Suggestion.objects.get(case=case)
    s.confidence = {"intent": 0.93, "category": 0.41, "urgency": 0.88}
    s.save(update_fields=["confidence"])
    base = live_server.url
    with chromium_page(PHONE) as page:
        console_login(page, base, world.officer_tanan.username)
        page.goto(f"{base}/tin-bao/{case.pk}/")
        panel = page.locator("#triage")
        assert panel.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
        assert "Máy chưa chắc" in panel.inner_text()
        assert "độ tin cậy 41 %" in panel.inner_text()
        assert s.model_version not in page.content()
        assert panel.locator("details[open] summary", has_text="Chọn phân loại").is_visible()
        assert panel.locator("button.primary", has_text="Xác nhận gợi ý").count() == 0
        panel.get_by_role("button", name="Sửa lĩnh vực").click()
        page.wait_for_url(f"{base}/tin-bao/{case.pk}/**")

    assert off_loop(lambda: Suggestion.objects.get(pk=s.pk).case.status) == "classified"
