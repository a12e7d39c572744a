"""Weekly reports: files from the CLI, their content, the PDF as pictures, the schedule."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from PIL import Image

from binhyen.monitoring import pdf as pdf_module
from binhyen.monitoring import reports, xlsx
from binhyen.monitoring.models import Report
from binhyen.monitoring.periods import parse_period
from binhyen.monitoring.reportdata import build_book
from binhyen.monitoring.tests.history import build, vn
from binhyen.units.models import Unit

W47 = parse_period("2026-W47")
LATER = vn(1, 12, month=12)


@pytest.fixture
def history(world):
    return build(world)


def test_cli_writes_every_units_spreadsheet_and_pdf(world, history, tmp_path):
    out = io.StringIO()
    call_command("reports", "weekly", "--week", "2026-W47", "--out", str(tmp_path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(lines) == 6
    assert names == sorted(
        f"bao-cao-{code}-2026-W47.{ext}"
        for code in ("66", "24133", "24163")
        for ext in ("xlsx", "pdf")
    )
    assert all(line.split("\t")[0].startswith(str(tmp_path)) for line in lines)


def test_cli_refuses_a_period_that_is_not_a_week(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-W47"):
        call_command("reports", "weekly", "--week", "2026-11", "--out", str(tmp_path))


def test_spreadsheet_has_a_sheet_per_topic_with_vietnamese_headers(world, history):
    book = build_book(W47, LATER)
    wb = load_workbook(io.BytesIO(xlsx.workbook(book, world.bmt)))
    assert wb.sheetnames == [
        "Tổng hợp",
        "Tiếp nhận",
        "Thời hạn",
        "Kết quả",
        "Xu hướng",
        "Xếp hạng",
        "Nhắc nhở, khen thưởng",
    ]
    summary = {r[0].value: r[1] for r in wb["Tổng hợp"].iter_rows(min_row=4) if r[0].value}
    assert summary["Tin tiếp nhận"].value == 4
    assert summary["Tin tiếp nhận"].number_format == "#,##0"
    assert summary["Thời gian nhận xử lý — trung vị"].value == 1.0
    assert summary["Thời gian nhận xử lý — trung vị"].number_format == '0.0 "giờ"'
    assert summary["Điểm hài lòng trung bình (1–5)"].value == 4.5
    channels = [
        (r[1].value, r[2].value)
        for r in wb["Tiếp nhận"].iter_rows(min_row=2)
        if r[0].value == "Kênh"
    ]
    assert channels == [("Zalo", 3), ("Biểu mẫu web", 1)]
    ranking = [r[1].value for r in wb["Xếp hạng"].iter_rows(min_row=2)]
    assert ranking == ["Công an phường Buôn Ma Thuột", "Công an phường Tân An"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install poppler-utils (.ci/run does)"
    return path


def _pages(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [_tool("pdftoppm"), "-r", "60", "-png", str(path), str(tmp_path / "p")], check=True
    )
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("p-*.png"))]


def _chart_pixels(img: Image.Image) -> int:
    """Pixels of the charts' first colour (#0b5cab bars and lines), a colour no text uses."""
    return sum(
        1
        for r, g, b in img.get_flattened_data()
        if abs(r - 11) < 40 and abs(g - 92) < 40 and abs(b - 171) < 40
    )


def test_pdf_renders_readable_vietnamese_and_non_empty_charts(world, history, tmp_path):
    book = build_book(W47, LATER)
    pdf = pdf_module.render(book, world.province)
    text = subprocess.run(
        [_tool("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Báo cáo tuần — Công an tỉnh Đắk Lắk" in text
    assert "Tuần 47/2026 (16/11 – 22/11/2026)" in text
    assert "Nhận xử lý: trung vị / 90% số tin" in text
    pages = _pages(pdf, tmp_path)
    assert pages
    # Each chart draws bars or lines in the first colour: the pages hold a clear amount of it.
    assert sum(_chart_pixels(p) for p in pages) > 2000
    # And the chart area is not blank: the lower half of the first page has drawing on it.
    first = pages[0]
    w, h = first.size
    lower = first.crop((0, h // 2, w, h))
    assert (
        sum(1 for px in lower.get_flattened_data() if px != (255, 255, 255))
        > 0.05 * lower.width * lower.height
    )


def test_scheduled_run_makes_exactly_one_report_per_unit_even_with_two_workers(world, history):
    monday = vn(23, 6, 30)
    assert reports.weekly_reports_due(monday) == 1  # first worker: rows made, task queued
    assert reports.weekly_reports_due(monday) == 0  # second worker: nothing more to queue
    units = Unit.objects.filter(is_active=True).count()
    assert Report.objects.filter(period_label="2026-W47").count() == units
    first = reports._claim(W47, "worker-1", monday)
    assert first is not None
    # worker-2 renders everything it can claim; worker-1's claim is respected meanwhile.
    done = reports.render_pending(W47, worker="worker-2", now=lambda: monday)
    assert done == units - 1
    assert Report.objects.get(pk=first.pk).state == Report.State.RUNNING
    assert Report.objects.filter(state=Report.State.DONE, attempts=1).count() == units - 1
    assert reports._claim(W47, "worker-3", monday) is None


def test_a_report_left_by_a_dead_worker_is_made_later(world, history):
    monday = vn(23, 6, 30)
    reports.reports_ensure(W47, scheduled=True)
    claimed = reports._claim(W47, "dies", monday)
    assert claimed is not None
    later = monday + reports.LEASE + timedelta(seconds=1)
    reports.render_pending(W47, worker="second", now=lambda: later)
    claimed.refresh_from_db()
    assert claimed.state == Report.State.DONE and claimed.attempts == 2
    assert claimed.pdf.name.endswith(f"bao-cao-{claimed.unit.code}-2026-W47.pdf")


def test_reports_start_on_monday_at_six_vietnam_time():
    assert reports.weekly_due_period(vn(23, 5, 59)) is None
    assert reports.weekly_due_period(vn(23, 6, 0)) == W47
    assert reports.weekly_due_period(vn(25, 12)) == W47


def test_on_demand_report_is_made_and_downloaded_by_whoever_may_see_it(
    world, history, client, drain
):
    from binhyen.testing import PASSWORD

    assert client.login(username=world.officer_bmt.username, password=PASSWORD)
    resp = client.post("/giam-sat/bao-cao/lap/", {"unit": "24133", "ky": "2026-11"})
    assert resp.status_code == 302
    report = Report.objects.get()
    assert report.state == Report.State.PENDING
    assert "<progress" in client.get("/giam-sat/bao-cao/").content.decode()
    drain()
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.progress == 100
    pdf = client.get(f"/giam-sat/bao-cao/{report.pk}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    xl = client.get(f"/giam-sat/bao-cao/{report.pk}.xlsx")
    assert "bao-cao-24133-2026-11.xlsx" in xl["Content-Disposition"]
    client.logout()
    assert client.login(username=world.officer_tanan.username, password=PASSWORD)
    assert client.get(f"/giam-sat/bao-cao/{report.pk}.pdf").status_code == 404
    refused = client.post("/giam-sat/bao-cao/lap/", {"unit": "24133", "ky": "2026-11"})
    assert refused.status_code == 404
