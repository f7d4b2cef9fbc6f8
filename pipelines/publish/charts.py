"""Charts of the yearly report, in one house style that reads on a phone.

Every function takes published values (already through disclosure control),
returns a matplotlib Figure and draws nothing that was suppressed: a hidden
value is shown as the symbol `..`, one that is not available as `.`, never as
a bar. The palette is Okabe-Ito, safe for the common colour-vision
deficiencies.

One design serves the phone, the desktop and print: figures are `WIDTH`
inches wide and no text is smaller than `TEXT` points, so a chart scaled down
to a 390 px phone's content width (`PHONE_PX`) still shows every label at
9 px or more. A second, phone-only drawing would double the report's largest
cost. `save` writes PNG and SVG without timestamps, so the same inputs give the
same bytes, and makes the SVG an image with a name and a description.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, MaxNLocator

from pipelines.files import replace_atomically
from pipelines.publish.numbers import RATE_DECIMALS, SUPPRESSED, fmt_number, fmt_percent

BLUE, ORANGE, SKY, GREEN, VERMILLION, GREY = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#6E6E6E",
)
WIDTH = 4.8  # inches (345.6 pt): the width every chart is drawn at
PRINT_WIDTH = 7.0  # inches: the PNG's width, an A4 text column
PHONE_PX = 358  # a chart's width on a 390 px phone: the page keeps 1rem each side
TEXT = 9.0  # pt, the smallest text: 9 × 358 / 345.6 = 9.3 px on that phone
TITLE = 11.0
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": TEXT,
    "axes.titlesize": TEXT,
    "axes.labelsize": TEXT,
    "xtick.labelsize": TEXT,
    "ytick.labelsize": TEXT,
    "legend.fontsize": TEXT,
    "figure.titlesize": TITLE,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": GREY,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "svg.hashsalt": "evstats",
    "svg.fonttype": "none",  # text stays text: searchable, selectable, read by screen readers
}
ROW = 0.25  # inches per bar or label line in the bar charts


def _figure(height: float) -> tuple[Figure, plt.Axes]:
    with plt.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH, height), dpi=100, layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def _wrap(text: str, size: float = TEXT, share: float = 0.95, *, bold: bool = False) -> str:
    """Lines that fit `share` of the figure's width: DejaVu Sans averages about 0.58 em a
    character (0.66 in bold), so long titles and labels wrap instead of running off."""
    per_line = int(WIDTH * 72 * share / (size * (0.66 if bold else 0.58)))
    return textwrap.fill(text, max(per_line, 8), break_on_hyphens=False)


def _frame(fig: Figure, title: str, footer: str) -> None:
    """Title above and source below, at the figure's left edge, as figure-level labels so
    the layout keeps room for them however many lines they wrap to."""
    fig.suptitle(_wrap(title, TITLE, bold=True), x=0.02, ha="left")
    fig.supxlabel(_wrap(footer), x=0.02, ha="left", fontsize=TEXT, color=GREY)


def tick_decimals(ticks: Sequence[float]) -> int:
    """The fewest decimals that write every tick exactly: steps of 0.025 need three
    (0.000, 0.025, 0.050), or the axis reads 0.0 0.0 0.1."""
    for decimals in range(7):
        scale = 10**decimals
        if all(abs(v * scale - round(v * scale)) < 1e-6 for v in ticks):
            return decimals
    return 6


class LocaleTicks(Formatter):
    """Tick labels written as the language writes numbers (0,05 in Finnish), with the
    decimals the tick step needs."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        self.decimals = tick_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_number(x, self.lang, self.decimals)


def _rate_axis(axis: Axis, lang: str) -> None:
    """Steps of 1, 2 or 5 × 10ⁿ, so rates need no more decimals than they must."""
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(LocaleTicks(lang))


def _count_axis(axis: Axis, lang: str) -> None:
    """Whole numbers only: a year with a handful of incidents has no 0.5 incident."""
    axis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axis.set_major_formatter(LocaleTicks(lang))


def _scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id and reference to one: each chart names its groups `figure_1`,
    `axes_1`, …, and an HTML page with five inline charts needs them unique."""
    return re.sub(r'(\sid="|url\(#|href="#)', rf"\g<1>{prefix}-", svg)


def accessible_svg(svg: str, name: str, title: str, description: str) -> str:
    """The SVG as one image for assistive technology: `role="img"`, named by its
    `<title>` and described by its `<desc>`, inline in a page or opened alone."""
    svg = _scope_ids(svg, name)
    start = svg.index("<svg")
    end = svg.index(">", start)
    attributes = f' role="img" aria-labelledby="{name}-title" aria-describedby="{name}-desc"'
    children = (
        f'\n <title id="{name}-title">{escape(title)}</title>'
        f'\n <desc id="{name}-desc">{escape(description)}</desc>'
    )
    return svg[:end] + attributes + ">" + children + svg[end + 1 :]


def save(fig: Figure, stem: Path, *, title: str, description: str) -> list[Path]:
    """PNG for documents (150 dpi, as wide as an A4 text column, so a tall chart still
    fits a page) and SVG for the web (`WIDTH`, legible on a phone), without volatile
    metadata; the SVG carries the chart's title and description (`accessible_svg`),
    its ids prefixed with the file's name (`regions-title`, `regions-axes_1`).

    Each format is printed by its backend's canvas, whose one drawing runs the
    constrained layout as it draws. `Figure.savefig` would first draw the whole figure
    once more with output disabled, only to run that layout: a third of the report's
    chart time, for the same bytes."""
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    width, height = fig.get_size_inches()
    dpi = fig.dpi
    with plt.rc_context(STYLE):
        text = io.StringIO()
        FigureCanvasSVG(fig).print_svg(text, metadata={"Date": None, "Creator": None})
        fig.set_size_inches(PRINT_WIDTH, height)
        fig.dpi = 150
        replace_atomically(
            png, lambda tmp: FigureCanvasAgg(fig).print_png(tmp, metadata={"Software": None})
        )
    fig.set_size_inches(width, height)
    fig.dpi = dpi
    page = accessible_svg(text.getvalue(), stem.name, title, description)
    replace_atomically(svg, lambda tmp: tmp.write_text(page, "utf-8"))
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
    """Horizontal bars sorted by rate. rows: (name, rate, unreliable, marker) where a
    region without a published rate has rate None and a marker instead of a bar: the
    symbol and its meaning in words (`.. not published`, `. no data`)."""
    shown = sorted((r for r in rows if r[1] is not None), key=lambda r: (r[1], r[0]))
    hidden = sorted((r for r in rows if r[1] is None), key=lambda r: r[0], reverse=True)
    ordered = hidden + shown
    fig, ax = _figure(ROW * len(ordered) + 2.4)
    with plt.rc_context(STYLE):
        ys = range(len(ordered))
        top = max([r[1] for r in shown] + [national or 0])
        for y, (_name, rate, unreliable, marker) in zip(ys, ordered, strict=True):
            if rate is None:
                ax.text(0, y, f" {marker}", va="center", color=GREY)
                continue
            ax.barh(
                y,
                rate,
                color=SKY if unreliable else BLUE,
                hatch="///" if unreliable else None,
                edgecolor="white",
                linewidth=0,
            )
            ax.text(rate + top * 0.01, y, fmt_number(rate, lang, RATE_DECIMALS), va="center")
        ax.set_yticks(list(ys), [r[0] for r in ordered])
        ax.set_ylim(-0.6, len(ordered) - 0.4)
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=BLUE, label=reliable_label),
            plt.Rectangle(
                (0, 0), 1, 1, facecolor=SKY, hatch="///", edgecolor="white", label=unreliable_label
            ),
        ]
        if top > 0:
            ax.set_xlim(0, top * 1.25)
            _rate_axis(ax.xaxis, lang)
        else:  # no rate published, or all zero: an axis of nothing would only mislead
            ax.set_xlim(0, 1)
            ax.set_xticks([])
        ax.set_xlabel(axis)
        if national is not None:
            ax.axvline(national, color=VERMILLION, linestyle="--", linewidth=1.2)
            handles.append(Line2D([], [], color=VERMILLION, linestyle="--", label=national_label))
        # Above the bars, under the title: it can never cover a bar or a value.
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            frameon=False,
            borderaxespad=0.3,
        )
        ax.tick_params(axis="y", length=0)
        _frame(fig, title, source)
    return fig


def category_panels(
    panels: Sequence[tuple[str, Sequence[tuple[str, int | None, float | None]]]],
    *,
    title: str,
    source: str,
    lang: str,
) -> Figure:
    """Every dimension's categories as bars of percent on one scale, each dimension
    under its heading; `..` where hidden. One column of labels, wrapped to two lines
    when long, leaves the bars room on a phone."""
    rows: list[tuple[float, str, int | None, float | None, bool]] = []
    y = 0.0
    for heading, cats in panels:
        y -= 0.3  # space before a heading
        rows.append((y, heading, None, None, True))
        y -= 1.0
        for label, count, pct in cats:
            wrapped = _wrap(label, share=0.38)
            lines = wrapped.count("\n") + 1
            y -= 0.35 * (lines - 1)
            rows.append((y, wrapped, count, pct, False))
            y -= 1 + 0.35 * (lines - 1)
    shown = [r[3] for r in rows if r[3] is not None]
    fig, ax = _figure(0.17 * -y + 1.3)
    with plt.rc_context(STYLE):
        right = max([*shown, 1.0]) * 1.5
        for y_row, text, count, pct, heading in rows:
            if heading:
                # From the figure's left edge, over labels and bars, like a table's group row.
                ax.annotate(
                    text,
                    (0.02, y_row),
                    xycoords=("figure fraction", "data"),
                    va="center",
                    fontweight="bold",
                    annotation_clip=False,
                ).set_in_layout(False)
            elif pct is None:
                ax.text(right * 0.01, y_row, SUPPRESSED, va="center", color=GREY)
            else:
                ax.barh(y_row, pct, color=BLUE, linewidth=0, height=0.75)
                label = f"{fmt_percent(pct, lang)} ({fmt_number(count, lang)})"
                ax.text(pct + right * 0.01, y_row, label, va="center")
        labelled = [r for r in rows if not r[4]]
        ax.set_yticks([r[0] for r in labelled], [r[1] for r in labelled])
        ax.set_ylim(y + 0.4, 0)
        ax.set_xlim(0, right)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        _frame(fig, title, source)
    return fig


def by_month(
    months: Sequence[tuple[str, int | None]], *, title: str, axis: str, source: str, lang: str
) -> Figure:
    """Bars by month, each with its count; a hidden month shows `..` on the baseline."""
    fig, ax = _figure(3.2)
    with plt.rc_context(STYLE):
        xs = range(len(months))
        counts = [c for _, c in months if c is not None]
        # The markers sit in axes coordinates: a year of zeros and hidden months has no
        # data height to place them by, and a marker outside the axes breaks the layout.
        on_baseline = ax.get_xaxis_transform()
        for x, (_label, count) in zip(xs, months, strict=True):
            if count is None:
                ax.text(x, 0.02, SUPPRESSED, ha="center", color=GREY, transform=on_baseline)
            else:
                ax.bar(x, count, color=BLUE, width=0.7)
                ax.text(x, count, fmt_number(count, lang), ha="center", va="bottom")
        ax.set_ylim(0, max([*counts, 1]) * 1.15)
        _count_axis(ax.yaxis, lang)
        ax.set_xticks(list(xs), [m[0][:3] for m in months])
        ax.set_ylabel(axis)
        _frame(fig, title, source)
    return fig


def heatmap(
    cells: Sequence[Sequence[int | None]],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    title: str,
    axis: str,
    note: str,
    source: str,
    lang: str,
) -> Figure:
    """Weekday × time-of-day counts; hidden cells are grey and marked `..`."""
    import numpy as np

    values = np.array([[np.nan if v is None else v for v in r] for r in cells], dtype=float)
    highest = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    fig, ax = _figure(4.4)
    with plt.rc_context(STYLE):
        ax.imshow(
            np.ma.masked_invalid(values),
            cmap="Blues",
            aspect="auto",
            vmin=0,
            vmax=max(1.0, highest),
        )
        for i, row in enumerate(cells):
            for j, v in enumerate(row):
                if v is None:
                    ax.add_patch(
                        plt.Rectangle(
                            (j - 0.5, i - 0.5),
                            1,
                            1,
                            # Plain grey with the `..` symbol: a dotted hatch drew thousands
                            # of dots, which made the SVG 170 kB and the PDF seconds slower.
                            facecolor="#ebebeb",
                            edgecolor="white",
                            linewidth=1,
                        )
                    )
                    ax.text(j, i, SUPPRESSED, ha="center", va="center", color=GREY)
                else:
                    ax.text(
                        j,
                        i,
                        fmt_number(v, lang),
                        ha="center",
                        va="center",
                        color="white" if v > 0.6 * highest else "black",
                    )
        ax.set_xticks(range(len(columns)), columns)
        ax.set_yticks(range(len(rows)), rows)
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(axis)
        _frame(fig, title, f"{note}\n{source}")
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
    fig, ax = _figure(3.6)
    with plt.rc_context(STYLE):
        for x, count in zip(years, incidents, strict=True):
            if count is not None:
                ax.bar(x, count, color=SKY, width=0.6)
                ax.text(
                    x,
                    count * 0.03,
                    fmt_number(count, lang),
                    ha="center",
                    va="bottom",
                    color="#1f4e79",
                    fontweight="bold",
                )
        ax.set_ylabel(count_axis, color="#1f4e79")
        _count_axis(ax.yaxis, lang)
        ax.set_xticks(list(years), [str(y) for y in years])
        ax.set_xlim(min(years, default=0) - 0.6, max(years, default=0) + 0.6)
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
            right.set_ylim(0, max(max(p[1] for p in points) * 1.3, 0.01))
            _rate_axis(right.yaxis, lang)
            for x, r in points:
                right.annotate(
                    fmt_number(r, lang, RATE_DECIMALS),
                    (x, r),
                    textcoords="offset points",
                    xytext=(0, 6),
                    ha="center",
                    color=VERMILLION,
                )
        right.set_ylabel(rate_axis, color=VERMILLION)
        for year in breaks:
            if years and years[0] < year <= years[-1]:
                ax.axvline(year - 0.5, color=GREY, linestyle=":", linewidth=1.2)
                # Above the plot, where no bar or rate label can sit under it.
                ax.text(
                    year - 0.5,
                    1.01,
                    break_label,
                    color=GREY,
                    ha="center",
                    va="bottom",
                    transform=ax.get_xaxis_transform(),
                )
        _frame(fig, title, source)
    return fig
