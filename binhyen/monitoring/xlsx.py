"""The weekly report as a spreadsheet (openpyxl): one sheet per topic, Vietnamese headers,
real numbers with number formats (so they can be summed and charted in Excel)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from binhyen.lib.clocks import VN_TZ
from binhyen.monitoring import scoring
from binhyen.monitoring.reportdata import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    INTENT_LABELS,
    OUTCOME_LABELS,
    URGENCY_LABELS,
    ReportBook,
    breakdown,
)
from binhyen.units.models import Unit

HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="0D2A45")
INT = "#,##0"
PCT = "0.0%"
HOURS = '0.0 "giờ"'
SCORE = "0.0"


def _hours(seconds: float | None) -> float | None:
    if seconds is None or math.isinf(seconds):
        return None
    return seconds / 3600


def _local(at: datetime) -> datetime:
    return at.astimezone(VN_TZ).replace(tzinfo=None)


def _sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def _rows(ws: Worksheet, rows: Iterable[Sequence[Any]], formats: Sequence[str | None]) -> None:
    for row in rows:
        ws.append(list(row))
        r = ws.max_row
        for i, fmt in enumerate(formats, start=1):
            if fmt:
                ws.cell(row=r, column=i).number_format = fmt


def workbook(book: ReportBook, unit: Unit) -> bytes:
    fig = book.table.of(unit)
    row = book.row(unit)
    parts = scoring.components(fig)
    wb = Workbook()
    wb.remove(wb.active)

    ws = _sheet(wb, "Tổng hợp", ["Chỉ số", "Giá trị"], [52, 18])
    ws.insert_rows(1, 2)
    ws["A1"] = f"Báo cáo {unit.name} — {book.period.title_vi}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"Số liệu tính từ dữ liệu hệ thống lúc {_local(book.as_of):%H:%M %d/%m/%Y}"
    summary: list[tuple[str, Any, str]] = [
        ("Điểm xếp hạng (0–100)", None if row is None else row.score, SCORE),
        ("Hạng trong cùng cấp", None if row is None else row.rank, INT),
        ("Tin tiếp nhận", fig["received"], INT),
        ("Trong đó tin trùng đã gộp", fig["received.duplicates"], INT),
        ("Thời gian nhận xử lý — trung vị", _hours(fig.percentile("ack", 0.5)), HOURS),
        ("Thời gian nhận xử lý — 90% số tin", _hours(fig.percentile("ack", 0.9)), HOURS),
        ("Thời gian trả lời lần đầu — trung vị", _hours(fig.percentile("answer", 0.5)), HOURS),
        ("Thời gian trả lời lần đầu — 90% số tin", _hours(fig.percentile("answer", 0.9)), HOURS),
        *[(c.label, parts[c.key], PCT) for c in scoring.COMPONENTS],
        ("Đang mở cuối kỳ", fig["open_end"], INT),
        ("Quá hạn cuối kỳ", fig["overdue_end"], INT),
        ("Quá hạn phân loại cuối kỳ", fig["classify_overdue_end"], INT),
        ("Số người bị bắt giữ", fig["detained"], INT),
        ("Số phương tiện thu giữ", fig["vehicles_seized"], INT),
        ("Người quan tâm trang mới", fig["followers.gained"], INT),
        ("Người bỏ quan tâm trang", fig["followers.lost"], INT),
        ("Đã hỏi mức hài lòng", fig["satisfaction.asked"], INT),
        ("Số đánh giá hài lòng", fig["satisfaction.answered"], INT),
        ("Điểm hài lòng trung bình (1–5)", fig.satisfaction_mean(), "0.00"),
    ]
    for label, value, fmt in summary:
        _rows(ws, [(label, value)], [None, fmt])
    if row is not None and row.flags:
        ws.append(["Cảnh báo", "; ".join(row.flags)])

    ws = _sheet(wb, "Tiếp nhận", ["Nhóm", "Loại", "Số tin"], [18, 40, 12])
    for group, prefix, labels in (
        ("Kênh", "received.channel", CHANNEL_LABELS),
        ("Loại tin", "received.intent", INTENT_LABELS),
        ("Lĩnh vực", "received.category", CATEGORY_LABELS),
        ("Mức khẩn", "received.urgency", URGENCY_LABELS),
    ):
        _rows(
            ws,
            [(group, label, n) for label, n in breakdown(fig, prefix, labels)],
            [None, None, INT],
        )

    ws = _sheet(
        wb, "Thời hạn", ["Thời hạn", "Đến hạn", "Đúng hạn", "Tỷ lệ đúng hạn"], [40, 12, 12, 16]
    )
    for key in sorted(k[: -len(".due")] for k in fig.counts if k.endswith(".due")):
        due, in_time = fig[f"{key}.due"], fig[f"{key}.in_time"]
        name = key.replace("clock.rule.", "").replace("clock.", "tất cả: ")
        _rows(ws, [(name, due, in_time, in_time / due if due else None)], [None, INT, INT, PCT])

    ws = _sheet(wb, "Kết quả", ["Kết quả", "Số vụ việc"], [44, 14])
    _rows(
        ws,
        [
            ("Tổng số có kết quả", fig["decided"]),
            ("Chuyển Cơ quan điều tra", fig["decided.handed_over"]),
            ("Chuyển cơ quan có thẩm quyền", fig["decided.transferred"]),
            ("Đã trả lời", fig["decided.answered"]),
            ("Đã đóng", fig["decided.closed"]),
            ("Gộp vào tin khác", fig["decided.merged"]),
            *breakdown(fig, "decided.resolved", OUTCOME_LABELS),
            ("Mở lại", fig["reopened"]),
        ],
        [None, INT],
    )
    ws.append([])
    ws.append(["Tang vật thu giữ", "Số lượng"])
    _rows(ws, sorted(fig.items.items()), [None, INT])

    ws = _sheet(
        wb,
        "Xu hướng",
        [
            "Kỳ",
            "Tiếp nhận",
            "Zalo",
            "Web",
            "Đang mở cuối kỳ",
            "Quá hạn cuối kỳ",
            "Nhận xử lý — trung vị",
        ],
        [14, 12, 10, 10, 16, 16, 20],
    )
    for period, f in book.trend(unit):
        _rows(
            ws,
            [
                (
                    period.label,
                    f["received"],
                    f["received.channel.zalo"],
                    f["received.channel.web"],
                    f["open_end"],
                    f["overdue_end"],
                    _hours(f.percentile("ack", 0.5)),
                )
            ],
            [None, INT, INT, INT, INT, INT, HOURS],
        )

    _kind, ranked = book.ranking_for(unit)
    ws = _sheet(
        wb,
        "Xếp hạng",
        ["Hạng", "Đơn vị", "Mã", "Điểm", *[c.label for c in scoring.COMPONENTS], "Cảnh báo"],
        [8, 40, 10, 10, 14, 14, 14, 14, 14, 60],
    )
    for r in ranked:
        _rows(
            ws,
            [
                (
                    r.rank,
                    r.unit.name,
                    r.unit.code,
                    r.score,
                    *[r.parts[c.key] for c in scoring.COMPONENTS],
                    "; ".join(r.flags),
                )
            ],
            [INT, None, None, SCORE, PCT, PCT, PCT, PCT, PCT, None],
        )

    ws = _sheet(
        wb,
        "Nhắc nhở, khen thưởng",
        ["Loại", "Đơn vị", "Thời điểm", "Nội dung", "Xác nhận"],
        [14, 36, 18, 60, 30],
    )
    for rem in book.reminders(unit):
        ack = (
            f"{rem.acknowledged_at:%d/%m/%Y %H:%M} {rem.acknowledged_by or ''}"
            if rem.acknowledged_at
            else "Chưa xác nhận"
        )
        ws.append(["Nhắc nhở", rem.unit.name, _local(rem.sent_at), rem.text, ack])
        ws.cell(row=ws.max_row, column=3).number_format = "dd/mm/yyyy hh:mm"
    for a in book.awards(unit):
        who = f"{a.unit.name}" + (f" — {a.officer}" if a.officer else "")
        ws.append(["Đề nghị khen thưởng", who, _local(a.nominated_at), a.reason, ""])
        ws.cell(row=ws.max_row, column=3).number_format = "dd/mm/yyyy hh:mm"

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
