"""Charts of the yearly report, in one house style.

Every function takes published values (already through disclosure control),
returns a matplotlib Figure and draws nothing that was suppressed: a hidden
value is shown as the symbol `..`, never as a bar. The palette is Okabe-Ito,
safe for the common colour-vision deficiencies. `save` writes PNG and SVG
without timestamps, so the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from pipelines.publish.numbers import SUPPRESSED, fmt_number, fmt_percent

BLUE, ORANGE, SKY, GREEN, VERMILLION, GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#6E6E6E",
)
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": GREY,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "svg.hashsalt": "evstats",
    "svg.fonttype": "none",  # text stays text: searchable, selectable, read by screen readers
}
WIDTH = 7.0  # inches: an A4 text column


def _figure(height: float) -> tuple[Figure, plt.Axes]:
    with plt.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH, height), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def _source(fig: Figure, source: str) -> None:
    """The source line, as a figure-level label so the layout keeps room for it."""
    fig.supxlabel(source, x=0.01, ha="left", fontsize=7, color=GREY)


def _axis_numbers(axis: object, lang: str, decimals: int) -> None:
    """Tick labels written as the language writes numbers (0,5 in Finnish)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang, decimals)))


def save(fig: Figure, stem: Path) -> list[Path]:
    """PNG for documents (150 dpi) and SVG for the web, without volatile metadata."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    with plt.rc_context(STYLE):
        fig.savefig(png, dpi=150, metadata={"Software": None})
        # The layout is settled by the first save; keep it rather than solve it again.
        fig.set_layout_engine("none")
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return [png, svg]


def rate_by_region(
    rows: Sequence[tuple[str, float | None, bool, str | None]],
    national: float | None,
    *,
    title: str,
    axis: str,
    national_label: str,
    unreliable_label: str,
    reliable_label: str,
    source: str,
    lang: str,
) -> Figure:
    """Horizontal bars sorted by rate. rows: (name, rate, unreliable, note) where a
    region without a published rate has rate None and a note instead of a bar."""
    shown = sorted((r for r in rows if r[1] is not None), key=lambda r: (r[1], r[0]))
    hidden = sorted((r for r in rows if r[1] is None), key=lambda r: r[0], reverse=True)
    ordered = hidden + shown
    fig, ax = _figure(0.26 * len(ordered) + 1.2)
    with plt.rc_context(STYLE):
        ys = range(len(ordered))
        top = max([r[1] for r in shown] + [national or 0, 0.001])
        for y, (_name, rate, unreliable, note) in zip(ys, ordered, strict=True):
            if rate is None:
                ax.text(0, y, f" {SUPPRESSED} {note}", va="center", fontsize=8, color=GREY)
                continue
            ax.barh(
                y,
                rate,
                color=SKY if unreliable else BLUE,
                hatch="///" if unreliable else None,
                edgecolor="white",
                linewidth=0,
            )
            ax.text(rate + top * 0.01, y, fmt_number(rate, lang, 2), va="center", fontsize=7.5)
        ax.set_yticks(list(ys), [r[0] for r in ordered])
        ax.set_ylim(-0.8, len(ordered))
        ax.set_xlim(0, top * 1.15)
        _axis_numbers(ax.xaxis, lang, 1)
        ax.set_xlabel(axis)
        if national is not None:
            ax.axvline(national, color=VERMILLION, linestyle="--", linewidth=1.2)
            ax.text(
                national,
                len(ordered) - 0.4,
                " " + national_label,
                color=VERMILLION,
                fontsize=8,
                va="bottom",
            )
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=BLUE, label=reliable_label),
            plt.Rectangle(
                (0, 0), 1, 1, facecolor=SKY, hatch="///", edgecolor="white", label=unreliable_label
            ),
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=7.5, frameon=False)
        ax.set_title(title)
        ax.tick_params(axis="y", length=0)
        _source(fig, source)
    return fig


def category_panels(
    panels: Sequence[tuple[str, Sequence[tuple[str, int | None, float | None]]]],
    *,
    axis: str,
    source: str,
    lang: str,
) -> Figure:
    """Small multiples: one panel per dimension, bars of percent, `..` where hidden."""
    cols = 2
    rows_n = (len(panels) + cols - 1) // cols
    heights = [max(len(p[1]) for p in panels[i * cols : (i + 1) * cols]) for i in range(rows_n)]
    with plt.rc_context(STYLE):
        fig = Figure(
            figsize=(WIDTH, 0.22 * sum(heights) + 0.7 * rows_n + 0.4), dpi=100, layout="constrained"
        )
        grid = fig.add_gridspec(rows_n, cols, height_ratios=heights)
        for i, (title, cats) in enumerate(panels):
            ax = fig.add_subplot(grid[i // cols, i % cols])
            ys = list(range(len(cats)))[::-1]
            for y, (_label, count, pct) in zip(ys, cats, strict=True):
                if pct is None:
                    ax.text(0.5, y, SUPPRESSED, va="center", fontsize=7.5, color=GREY)
                    continue
                ax.barh(y, pct, color=BLUE, linewidth=0)
                label = f"{fmt_percent(pct, lang)} ({count})"
                ax.text(pct + 1, y, label, va="center", fontsize=7)
            ax.set_yticks(ys, [c[0] for c in cats], fontsize=7.5)
            ax.set_xlim(0, 115)
            ax.set_xticks([0, 25, 50, 75, 100])
            ax.tick_params(axis="x", labelsize=7)
            ax.tick_params(axis="y", length=0)
            ax.set_title(title, fontsize=9)
            if i // cols == rows_n - 1:
                ax.set_xlabel(axis, fontsize=7.5)
        _source(fig, source)
    return fig


def by_month(
    months: Sequence[tuple[str, int | None]], *, title: str, axis: str, source: str
) -> Figure:
    fig, ax = _figure(2.8)
    with plt.rc_context(STYLE):
        xs = range(len(months))
        for x, (_label, count) in zip(xs, months, strict=True):
            if count is None:
                ax.text(x, 0.2, SUPPRESSED, ha="center", fontsize=8, color=GREY)
            else:
                ax.bar(x, count, color=BLUE, width=0.7)
                ax.text(x, count, str(count), ha="center", va="bottom", fontsize=7.5)
        ax.set_xticks(list(xs), [m[0][:3] for m in months])
        ax.set_ylabel(axis)
        ax.set_title(title)
        _source(fig, source)
    return fig


def heatmap(
    cells: Sequence[Sequence[int | None]],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    title: str,
    note: str,
    source: str,
) -> Figure:
    """Weekday × time-of-day counts; hidden cells are hatched and marked `..`."""
    import numpy as np

    values = np.array([[np.nan if v is None else v for v in r] for r in cells], dtype=float)
    fig, ax = _figure(3.4)
    with plt.rc_context(STYLE):
        ax.imshow(
            np.ma.masked_invalid(values),
            cmap="Blues",
            aspect="auto",
            vmin=0,
            vmax=max(1.0, float(np.nanmax(values)) if np.isfinite(values).any() else 1.0),
        )
        for i, row in enumerate(cells):
            for j, v in enumerate(row):
                if v is None:
                    ax.add_patch(
                        plt.Rectangle(
                            (j - 0.5, i - 0.5),
                            1,
                            1,
                            facecolor="#f2f2f2",
                            hatch="...",
                            edgecolor="#cccccc",
                            linewidth=0,
                        )
                    )
                    ax.text(j, i, SUPPRESSED, ha="center", va="center", fontsize=7.5, color=GREY)
                else:
                    dark = v > 0.6 * float(np.nanmax(values))
                    ax.text(
                        j,
                        i,
                        str(v),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if dark else "black",
                    )
        ax.set_xticks(range(len(columns)), columns, fontsize=7.5)
        ax.set_yticks(range(len(rows)), rows)
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(title)
        ax.set_xlabel(note, fontsize=7.5, color=GREY)
        _source(fig, source)
    return fig


def trend(
    years: Sequence[int],
    incidents: Sequence[int | None],
    rates: Sequence[float | None],
    breaks: Sequence[int],
    *,
    title: str,
    count_axis: str,
    rate_axis: str,
    break_label: str,
    source: str,
    lang: str,
) -> Figure:
    """Incidents as bars, the rate as a line on its own axis, series breaks as a
    dashed line between the years they separate."""
    fig, ax = _figure(3.2)
    with plt.rc_context(STYLE):
        for x, count in zip(years, incidents, strict=True):
            if count is not None:
                ax.bar(x, count, color=SKY, width=0.6)
                ax.text(
                    x,
                    count * 0.03,
                    str(count),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="#1f4e79",
                    fontweight="bold",
                )
        ax.set_ylabel(count_axis, color="#1f4e79")
        ax.set_xticks(list(years), [str(y) for y in years])
        right = ax.twinx()
        right.spines["right"].set_visible(True)
        points = [(x, r) for x, r in zip(years, rates, strict=True) if r is not None]
        if points:
            right.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                color=VERMILLION,
                marker="o",
                linewidth=1.8,
            )
            right.set_ylim(0, max(p[1] for p in points) * 1.3)
            _axis_numbers(right.yaxis, lang, 1)
            for x, r in points:
                right.annotate(
                    fmt_number(r, lang, 2),
                    (x, r),
                    textcoords="offset points",
                    xytext=(0, 6),
                    ha="center",
                    fontsize=7.5,
                    color=VERMILLION,
                )
        right.set_ylabel(rate_axis, color=VERMILLION)
        for year in breaks:
            if years and years[0] < year <= years[-1]:
                ax.axvline(year - 0.5, color=GREY, linestyle=":", linewidth=1.2)
                ax.text(
                    year - 0.45,
                    ax.get_ylim()[1] * 0.97,
                    break_label,
                    fontsize=7.5,
                    color=GREY,
                    va="top",
                )
        ax.set_title(title)
        _source(fig, source)
    return fig
