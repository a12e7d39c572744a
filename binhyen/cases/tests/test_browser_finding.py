"""In real Chromium on a phone: an officer finds cases the way they type — "can cuoc" and
"Tan Loi" without diacritics, a code's random part — and narrows the list with a filter."""

from __future__ import annotations

import pytest

from binhyen.cases.tests.test_finding import _say
from binhyen.testing import PHONE, chromium_page, console_login, off_loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _codes_shown(page) -> set[str]:  # type: ignore[no-untyped-def]
    text = page.locator("main").inner_text()
    return {word for word in text.split() if word[:3] in ("TB-", "HD-", "PA-")}


def test_an_officer_finds_cases_without_diacritics_and_filters_them(
    transactional_db, world, live_server, drain
):
    id_card = off_loop(lambda: _say(world.bmt_page, "Cho em hỏi làm căn cước cho con", user="a"))
    village = off_loop(
        lambda: _say(world.bmt_page, "Ở xã Tân Lợi có nhóm người tụ tập đánh bạc", user="b")
    )
    other = off_loop(lambda: _say(world.bmt_page, "Xe máy dựng trước nhà bị mất", user="c"))
    off_loop(drain)  # triage reads them (the category filter below; a question's code is HD-)
    for case in (id_card, village, other):
        off_loop(case.refresh_from_db)
    assert id_card.code.startswith("HD-") and village.category == "gambling"
    base = live_server.url
    with chromium_page(PHONE) as page:
        console_login(page, base, world.officer_bmt.username)

        page.fill("#f-q", "can cuoc")
        page.locator("#f-q").press("Enter")
        page.wait_for_url("**q=can+cuoc**")
        shown = _codes_shown(page)
        assert id_card.code in shown and village.code not in shown and other.code not in shown

        page.fill("#f-q", "Tan Loi")
        page.locator("#f-q").press("Enter")
        page.wait_for_url("**q=Tan+Loi**")
        shown = _codes_shown(page)
        assert village.code in shown and id_card.code not in shown

        page.fill("#f-q", village.code.split("-")[-1])  # the last part of the code, typed alone
        page.locator("#f-q").press("Enter")
        page.wait_for_load_state()
        assert village.code in _codes_shown(page)

        page.fill("#f-q", "")
        if page.locator("details.more-filters[open]").count() == 0:  # open after a search
            page.locator("summary", has_text="Thêm bộ lọc").click()
        page.select_option("select[name=category]", "gambling")
        page.get_by_role("button", name="Lọc", exact=True).click()
        page.wait_for_url("**category=gambling**")
        shown = _codes_shown(page)
        assert village.code in shown and other.code not in shown and id_card.code not in shown
        assert page.locator(".result-count").get_attribute("data-count") == "1"
