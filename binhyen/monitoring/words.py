"""Figures in words (Vietnamese conventions: "1 giờ 5 phút", "12,5", "80%")."""

from __future__ import annotations

import math


def duration_vi(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if math.isinf(seconds):
        return "chưa"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    days, hours = divmod(hours, 24)
    return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"


def pct_vi(share: float | None) -> str:
    return "—" if share is None else f"{round(100 * share)}%"


def num_vi(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{int(digits)}f}"
    return text.replace(",", "\u202f").replace(".", ",")
