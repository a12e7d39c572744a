"""Charts for the reports, drawn with matplotlib (Agg, no display) as PNG bytes.

matplotlib's own DejaVu Sans covers Vietnamese, so no system font is needed."""

from __future__ import annotations

import functools
import io
import logging
import math
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from binhyen.monitoring import kpis, scoring
from binhyen.monitoring.periods import Period
from binhyen.monitoring.reportdata import CATEGORY_LABELS, CHANNEL_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# "Using categorical units…" at INFO for every week label: not news.
logging.getLogger("matplotlib.category").setLevel(logging.WARNING)
COLORS = ["#0b5cab", "#ef6c00", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41"]


@functools.cache
def _pyplot() -> ModuleType:
    """matplotlib on first use: ~170 ms and ~40 MB that web and worker processes which never
    draw a chart (most of them) should not pay at start-up."""
    import matplotlib  # deferred: ~40 MB, only in processes that draw

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # deferred: after choosing the Agg backend

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _integer_locator() -> object:
    from matplotlib.ticker import MaxNLocator  # deferred: see _pyplot

    return MaxNLocator(integer=True)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight", facecolor="white")
    _pyplot().close(fig)
    return buf.getvalue()


def _short(period: Period) -> str:
    if period.kind == "week":
        return f"T{int(period.label.split('-W')[1])}"
    return period.label


def trend_received(trend: Sequence[tuple[Period, kpis.Figures]], title: str) -> bytes:
    """Cases received per period, stacked by channel, with the cases open at each end."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    labels = [_short(p) for p, _ in trend]
    bottom = [0] * len(trend)
    for i, (code, name) in enumerate(CHANNEL_LABELS.items()):
        values = [f[f"received.channel.{code}"] for _, f in trend]
        if any(values):
            ax.bar(labels, values, bottom=bottom, label=name, color=COLORS[i % len(COLORS)])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.plot(
        labels,
        [f["open_end"] for _, f in trend],
        color="#c62828",
        marker="o",
        label="Đang mở cuối kỳ",
    )
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel("Số tin")
    ax.yaxis.set_major_locator(_integer_locator())
    ax.legend(fontsize=8, frameon=False, ncol=4, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def category_mix(fig_data: kpis.Figures, title: str) -> bytes:
    plt = _pyplot()
    rows = [
        (label, fig_data[f"received.category.{code}"]) for code, label in CATEGORY_LABELS.items()
    ]
    rows = sorted((r for r in rows if r[1]), key=lambda r: r[1])
    fig, ax = plt.subplots(figsize=(7.2, max(1.6, 0.3 * len(rows) + 0.8)))
    if rows:
        ax.barh([r[0] for r in rows], [r[1] for r in rows], color=COLORS[0])
        for i, (_, n) in enumerate(rows):
            ax.text(n, i, f" {n}", va="center", fontsize=8)
    else:
        ax.text(
            0.5, 0.5, "Không có tin báo trong kỳ", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_yticks([])
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_xlabel("Số tin báo")
    ax.xaxis.set_major_locator(_integer_locator())
    return _png(fig)


def response_trend(trend: Sequence[tuple[Period, kpis.Figures]], title: str) -> bytes:
    """Median and 90th percentile time to first acknowledgement, in hours."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 2.6))
    labels = [_short(p) for p, _ in trend]
    for key, name, color in (
        (0.5, "Trung vị", COLORS[0]),
        (0.9, "90% số tin", COLORS[1]),
    ):
        values = []
        for _, f in trend:
            v = f.percentile("ack", key)
            values.append(math.nan if v is None or math.isinf(v) else v / 3600)
        ax.plot(labels, values, marker="o", label=name, color=color)
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel("Giờ")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def ranking(rows: Sequence[scoring.Row], highlight: int | None, title: str) -> bytes:
    """Scores of units of one kind, best at the top; the report's own unit in orange. With
    many units, the ten best and the ten last (and the unit itself)."""
    plt = _pyplot()
    scored = [r for r in rows if r.score is not None]
    if len(scored) > 22:
        keep = scored[:10] + scored[-10:]
        own = [r for r in scored if r.unit.pk == highlight and r not in keep]
        scored = sorted(keep + own, key=lambda r: -(r.score or 0))
    fig, ax = plt.subplots(figsize=(7.2, max(1.6, 0.26 * len(scored) + 0.8)))
    if scored:
        names = [f"{r.rank}. {r.unit.name.replace('Công an ', '')}" for r in reversed(scored)]
        values = [r.score or 0 for r in reversed(scored)]
        colors = [COLORS[1] if r.unit.pk == highlight else COLORS[0] for r in reversed(scored)]
        ax.barh(names, values, color=colors)
        ax.set_xlim(0, 100)
        ax.tick_params(axis="y", labelsize=7)
    else:
        ax.text(0.5, 0.5, "Chưa có điểm trong kỳ", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_xlabel("Điểm (0–100)")
    return _png(fig)


def category_trend(trend: Sequence[tuple[Period, kpis.Figures]], title: str) -> bytes:
    """Tips per period by category (the six largest over the whole span, the rest together)."""
    plt = _pyplot()
    totals = {
        code: sum(f[f"received.category.{code}"] for _, f in trend) for code in CATEGORY_LABELS
    }
    top = [c for c, n in sorted(totals.items(), key=lambda kv: -kv[1]) if n][:6]
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    labels = [_short(p) for p, _ in trend]
    bottom = [0] * len(trend)
    for i, code in enumerate(top):
        values = [f[f"received.category.{code}"] for _, f in trend]
        ax.bar(
            labels,
            values,
            bottom=bottom,
            label=CATEGORY_LABELS[code],
            color=COLORS[i % len(COLORS)],
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    rest = [f["received.intent.tip"] - b for (_, f), b in zip(trend, bottom, strict=True)]
    if any(rest):
        ax.bar(labels, rest, bottom=bottom, label="Lĩnh vực khác", color="#b0bec5")
    if not top and not any(rest):
        ax.text(0.5, 0.5, "Không có tin báo", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title, loc="left", fontsize=10)
    ax.set_ylabel("Số tin báo")
    ax.yaxis.set_major_locator(_integer_locator())
    if top or any(rest):
        ax.legend(fontsize=7, frameon=False, ncol=3, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def province_map(
    shapes: Sequence[tuple[list[list[float]], float | None]], title: str, legend: str
) -> bytes:
    """Commune cells coloured by a figure (grey: no data), for the PDF."""
    # deferred: matplotlib loads where charts are drawn (see _pyplot)
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize

    plt = _pyplot()
    values = [v for _, v in shapes if v is not None]
    top = max(values) if values else 1.0
    cmap = plt.get_cmap("YlOrRd")
    fig, ax = plt.subplots(figsize=(7.2, 6.4))
    polys = [[(x, y) for x, y in poly] for poly, _ in shapes]
    colors = [
        "#e0e0e0" if v is None else cmap(0.15 + 0.85 * (v / top if top else 0)) for _, v in shapes
    ]
    ax.add_collection(PolyCollection(polys, facecolors=colors, edgecolors="white", linewidths=0.5))
    ax.autoscale()
    ax.set_aspect(1 / math.cos(math.radians(12.9)))
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=10)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=Normalize(0, top))
    fig.colorbar(sm, ax=ax, shrink=0.6, label=legend)
    return _png(fig)
