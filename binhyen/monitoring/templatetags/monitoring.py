"""Figures in words: durations, shares, trends."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from binhyen.monitoring.words import duration_vi, num_vi, pct_vi

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    return duration_vi(seconds)


@register.filter
def pct(share: float | None) -> str:
    return pct_vi(share)


@register.filter
def num(value: float | None, digits: int = 0) -> str:
    return num_vi(value, digits)


@register.filter
def get(mapping: object, key: str) -> object:
    try:
        return mapping[key]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return 0


@register.simple_tag
def sparkline(values: list[float | None], width: int = 90, height: int = 24) -> SafeString:
    """A small inline SVG of scores (0–100), oldest first; gaps where a week had no score."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return format_html('<span class="muted">{}</span>', "—")
    step = width / max(1, len(values) - 1)
    coords = " ".join(f"{i * step:.1f},{height - v / 100 * height:.1f}" for i, v in points)
    return format_html(
        '<svg class="spark" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><polyline fill="none" stroke="currentColor" stroke-width="2" '
        'points="{}"/></svg>',
        width,
        height,
        width,
        height,
        "Xu hướng: " + ", ".join("—" if v is None else f"{v:.0f}" for v in values),
        coords,
    )
