"""Durations in words for officers ("3 phút 9 giây", not "189 s")."""

from __future__ import annotations

import math


def elapsed_vi(seconds: float | None) -> str:
    """A measured duration, exact to the second when short: "45 giây", "3 phút 9 giây",
    "1 giờ 5 phút", "2 ngày 3 giờ" (the two largest units, zero parts left out)."""
    if seconds is None or math.isnan(seconds):
        return "—"
    if math.isinf(seconds):
        return "chưa"
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} giây"
    parts: list[tuple[int, str]] = []
    for size, unit in ((86400, "ngày"), (3600, "giờ"), (60, "phút"), (1, "giây")):
        n, total = divmod(total, size)
        if n or parts:
            parts.append((n, unit))
    head = parts[:2]
    return " ".join(f"{n} {unit}" for n, unit in head if n)
