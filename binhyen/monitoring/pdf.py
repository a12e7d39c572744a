"""The weekly report as a PDF in Vietnamese (ReportLab), with the charts of `charts.py`.

The font is DejaVu Sans as shipped inside matplotlib's wheel (mpl-data/fonts/ttf): it covers
every Vietnamese letter and tone mark, is embedded in the PDF, and needs no system font.
Its licence (Bitstream Vera / DejaVu, free to embed and redistribute) is in docs/monitoring.md.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from binhyen.lib.clocks import VN_TZ
from binhyen.monitoring import charts, scoring
from binhyen.monitoring.reportdata import ReportBook
from binhyen.monitoring.words import duration_vi
from binhyen.units.models import Unit

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_registered = False


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _registered = True


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="DejaVu", fontSize=9.5, leading=13)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName="DejaVu-Bold", fontSize=16, leading=20, spaceAfter=4
        ),
        "sub": ParagraphStyle("sub", parent=base, textColor=colors.HexColor("#5d6b78")),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName="DejaVu-Bold",
            fontSize=12,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "flag": ParagraphStyle("flag", parent=base, textColor=colors.HexColor("#c62828")),
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{round(100 * x)}%"


def _image(png: bytes, width: float) -> Image:
    img = Image(io.BytesIO(png))
    ratio = img.imageHeight / img.imageWidth
    img.drawWidth, img.drawHeight = width, width * ratio
    return img


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "DejaVu"),
                ("FONTNAME", (0, 0), (-1, 0), "DejaVu-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0d2a45")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#dde3e8")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return t


def render(book: ReportBook, unit: Unit, *, map_png: bytes | None = None) -> bytes:
    _fonts()
    st = _styles()
    fig = book.table.of(unit)
    row = book.row(unit)
    parts = scoring.components(fig)
    width = A4[0] - 3 * cm
    story: list[object] = [
        Paragraph(f"Báo cáo tuần — {unit.name}", st["title"]),
        Paragraph(
            f"{book.period.title_vi} · số liệu từ hệ thống BinhYen lúc "
            f"{book.as_of.astimezone(VN_TZ):%H:%M %d/%m/%Y}",
            st["sub"],
        ),
        Spacer(1, 6),
    ]
    score = "—" if row is None or row.score is None else f"{row.score:.1f}"
    rank = "—" if row is None or row.rank is None else str(row.rank)
    headline = [
        ["Chỉ số", "Giá trị"],
        ["Điểm xếp hạng (0–100) / hạng trong cùng cấp", f"{score} / {rank}"],
        ["Tin tiếp nhận (tin trùng đã gộp)", f"{fig['received']} ({fig['received.duplicates']})"],
        [
            "Nhận xử lý: trung vị / 90% số tin",
            f"{duration_vi(fig.percentile('ack', 0.5))} / "
            f"{duration_vi(fig.percentile('ack', 0.9))}",
        ],
        [
            "Trả lời lần đầu: trung vị / 90% số tin",
            f"{duration_vi(fig.percentile('answer', 0.5))} / "
            f"{duration_vi(fig.percentile('answer', 0.9))}",
        ],
        *[[f"{c.letter}. {c.label}", _pct(parts[c.key])] for c in scoring.COMPONENTS],
        ["Đang mở / quá hạn cuối kỳ", f"{fig['open_end']} / {fig['overdue_end']}"],
        ["Người bị bắt giữ / phương tiện thu giữ", f"{fig['detained']} / {fig['vehicles_seized']}"],
        [
            "Quan tâm trang mới / bỏ quan tâm",
            f"{fig['followers.gained']} / {fig['followers.lost']}",
        ],
        [
            "Hài lòng (1–5): trung bình / số đánh giá",
            f"{_num(fig.satisfaction_mean())} / {fig['satisfaction.answered']}",
        ],
    ]
    story.append(_table(headline, [width * 0.68, width * 0.32]))
    if row is not None and row.flags:
        story.append(Paragraph("Cảnh báo", st["h2"]))
        story.extend(Paragraph("• " + f, st["flag"]) for f in row.flags)
    trend = book.trend(unit)
    story.append(Paragraph("Xu hướng", st["h2"]))
    story.append(_image(charts.trend_received(trend, "Tin tiếp nhận theo kênh"), width))
    story.append(_image(charts.response_trend(trend, "Thời gian nhận xử lý (giờ)"), width))
    story.append(Paragraph("Cơ cấu tin báo", st["h2"]))
    story.append(_image(charts.category_mix(fig, "Tin báo theo lĩnh vực trong kỳ"), width))
    _kind, ranked = book.ranking_for(unit)
    if ranked:
        story.append(
            KeepTogether(
                [
                    Paragraph("Xếp hạng", st["h2"]),
                    Paragraph(scoring.formula_text(book.leagues[_kind].weights), st["sub"]),
                    _image(charts.ranking(ranked, unit.pk, "Điểm các đơn vị cùng cấp"), width),
                ]
            )
        )
    if map_png is not None:
        story.append(Paragraph("Bản đồ", st["h2"]))
        story.append(_image(map_png, width))
    reminders = book.reminders(unit)
    awards = book.awards(unit)
    if reminders or awards:
        story.append(Paragraph("Nhắc nhở và đề nghị khen thưởng trong kỳ", st["h2"]))
        for rem in reminders:
            state = (
                f"đã xác nhận {rem.acknowledged_at.astimezone(VN_TZ):%d/%m}"
                if rem.acknowledged_at
                else "chưa xác nhận"
            )
            story.append(
                Paragraph(f"• Nhắc nhở {rem.unit.name}: {_esc(rem.text)} ({state})", st["base"])
            )
        for a in awards:
            who = a.unit.name + (f" — {a.officer}" if a.officer else "")
            story.append(
                Paragraph(f"• Đề nghị khen thưởng {_esc(who)}: {_esc(a.reason)}", st["base"])
            )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.3 * cm,
        bottomMargin=1.3 * cm,
        title=f"Báo cáo {unit.name} {book.period.label}",
        author="BinhYen",
    )
    doc.build(story)
    return buf.getvalue()


def _num(x: float | None) -> str:
    return "—" if x is None or math.isinf(x) else f"{x:.2f}".replace(".", ",")


def _esc(text: str) -> str:
    """Paragraph text is a small markup language: what people typed is escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
