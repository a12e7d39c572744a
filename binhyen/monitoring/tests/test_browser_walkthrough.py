"""In real Chromium, the province command's week (issue 13's walk-through): open the league
table, drill into the flagged unit's overdue cases, send it a reminder that the unit's
commander acknowledges, nominate an officer, view the map, and download the weekly XLSX and
PDF — on the small constructed history of `history.py` (ISO week 2026-W47)."""

from __future__ import annotations

import zipfile

import pytest

from binhyen.accounts.models import Role
from binhyen.accounts.services import staff_upsert
from binhyen.core.worker import drain
from binhyen.monitoring.models import AwardNomination, Reminder
from binhyen.monitoring.tests.history import build
from binhyen.testing import PASSWORD, PHONE, chromium_page, off_loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

W47 = "2026-W47"


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def test_province_command_walks_through_the_week_in_chromium(world, live_server):
    build(world)
    staff_upsert(
        username="lanhdao",
        password=PASSWORD,
        full_name="Lãnh đạo",
        memberships=[(world.province, Role.COMMAND)],
    )
    staff_upsert(
        username="chihuy.tanan",
        password=PASSWORD,
        full_name="Chỉ huy Tân An",
        memberships=[(world.tanan, Role.COMMANDER)],
    )
    base = live_server.url

    with chromium_page() as page:
        _sign_in(page, base, "lanhdao")
        page.goto(f"{base}/giam-sat/?ky={W47}&cap=commune")
        flagged = page.locator("tr.flagged", has_text="Công an phường Tân An")
        assert "1 tin quá hạn phân loại" in flagged.inner_text()
        assert "Điểm = 100 ×" in page.locator(".formula-text").inner_text()

        # Drill into the flagged unit's overdue cases: the case behind the flag is listed.
        flagged.locator("a", has_text="Công an phường Tân An").click()
        page.wait_for_url("**/giam-sat/don-vi/24163/**")
        page.goto(f"{base}/giam-sat/don-vi/24163/so-lieu/?ky={W47}&chi-so=overdue_end")
        assert page.locator("table tbody tr").count() >= 1

        # A reminder from the unit's page.
        page.goto(f"{base}/giam-sat/don-vi/24163/?ky={W47}")
        page.fill("#hanh-dong textarea[name=text]", "Đề nghị phân loại tin tồn đọng")
        page.click("#hanh-dong button:has-text('Gửi nhắc nhở')")
        page.locator("#nhac-nho", has_text="Đề nghị phân loại tin tồn đọng").wait_for()

        # Nominate an officer of Buôn Ma Thuột.
        page.goto(f"{base}/giam-sat/don-vi/24133/?ky={W47}")
        page.select_option("#hanh-dong select[name=officer]", str(world.officer_bmt.pk))
        page.fill("#hanh-dong textarea[name=reason]", "Xử lý nhanh tin trộm cắp")
        page.click("#hanh-dong button:has-text('Ghi đề nghị')")
        page.wait_for_load_state()
        page.goto(f"{base}/giam-sat/khen-thuong/?ky=2026-11")
        assert "Xử lý nhanh tin trộm cắp" in page.content()

        # The map: a shape per visible commune, coloured by the chosen figure.
        page.goto(f"{base}/giam-sat/ban-do/?ky={W47}&chi-so=overdue_share")
        assert page.locator("svg[role=img] path, svg[role=img] polygon").count() >= 2

        # The weekly report for the province: requested, made by the worker, downloaded.
        page.goto(f"{base}/giam-sat/bao-cao/")
        page.fill("form.period-form input[name=ky]", W47)
        page.click("form.period-form button[type=submit]")
        page.wait_for_url("**/giam-sat/bao-cao/**")
        off_loop(lambda: drain(raise_errors=True))
        page.goto(f"{base}/giam-sat/bao-cao/")
        with page.expect_download() as xlsx_info:
            page.click("a:has-text('XLSX')")
        xlsx = xlsx_info.value
        assert xlsx.suggested_filename.endswith(".xlsx")
        with zipfile.ZipFile(xlsx.path()) as book:
            assert any(name.startswith("xl/worksheets/") for name in book.namelist())
        with page.expect_download() as pdf_info:
            page.click("a:has-text('PDF')")
        assert pdf_info.value.path().read_bytes()[:5] == b"%PDF-"

    # The unit's commander, on a phone, acknowledges the reminder.
    with chromium_page(PHONE) as page:
        _sign_in(page, base, "chihuy.tanan")
        page.goto(f"{base}/giam-sat/don-vi/24163/?ky={W47}")
        reminder = page.locator("#nhac-nho article.reminder.open")
        reminder.locator("input[name=response]").fill("Đã giao cán bộ phân loại")
        reminder.locator("button:has-text('Xác nhận đã nhận')").click()
        page.locator("#nhac-nho .ok", has_text="Đã giao cán bộ phân loại").wait_for()

    reminder_row = Reminder.objects.get()
    assert reminder_row.unit == world.tanan and reminder_row.acknowledged_at is not None
    nomination = AwardNomination.objects.get()
    assert nomination.officer == world.officer_bmt
