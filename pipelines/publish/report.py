"""The yearly report in one language: charts, an HTML page, a PDF and a workbook.

The orchestrator of the publish stage's report: it builds the language's
`View` (`view`), draws the charts from the same protected data, and hands the
view to the HTML, PDF and workbook writers, which import the view model, not
this module. `report_workers` runs it for each language in a worker process.
"""

from __future__ import annotations

import base64
import html
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.contract.schema import Schema
from pipelines.files import replace_atomically
from pipelines.publish import charts
from pipelines.publish.numbers import NOT_AVAILABLE, SUPPRESSED
from pipelines.publish.report_data import REPORTS_DIR, ReportData
from pipelines.publish.report_pdf import write_pdf
from pipelines.publish.view import (
    Texts,
    View,
    build_view,
    category_panels,
    hour_bands,
    month_rows,
    n,
    suffix,
    unknown_time_note,
    weekday_names,
)
from pipelines.publish.workbook import write_workbook

if TYPE_CHECKING:
    import jinja2


def draw_charts(
    data: ReportData, schema: Schema, view: View, out_dir: Path
) -> dict[str, list[Path]]:
    """Each chart as PNG and SVG, titled and described by the view (`View.charts`)."""
    lang = view.lang
    t = Texts(lang)
    short = schema.codelists["region_short"]
    below = data.rules.unreliable_below
    rows = []
    for r in data.regions:
        marker = None
        if r["incidents_per_1000_missions"] is None:
            marker = (
                f"{SUPPRESSED} {t('bar_suppressed')}"
                if r["flag"] == "suppressed"
                else f"{NOT_AVAILABLE} {t('bar_not_submitted')}"
            )
        rows.append(
            (
                short.label(r["region_code"], lang),
                r["incidents_per_1000_missions"],
                r["flag"] == "unreliable",
                marker,
            )
        )
    national = data.national["incidents_per_1000_missions"]
    figures = {
        "regions": charts.rate_by_region(
            rows,
            national,
            title=view.charts["regions"].title,
            axis=t("rate_axis"),
            national_label=t("national_line", rate=n(national, lang, 2)),
            unreliable_label=t("legend_unreliable", n=below),
            reliable_label=t("legend_reliable"),
            source=view.source,
            lang=lang,
        )
    }

    panels = [
        (title, [(r["label"], r["incidents"], r["percent"]) for r in rows])
        for title, rows in category_panels(data, schema, lang)
    ]
    figures["what"] = charts.category_panels(
        panels, title=view.charts["what"].title, source=view.source, lang=lang
    )
    months = [(r["label"], r["incidents"]) for r in month_rows(data, schema, lang)]
    figures["month"] = charts.by_month(
        months, title=view.charts["month"].title, axis=t("count"), source=view.source, lang=lang
    )
    figures["heatmap"] = charts.heatmap(
        data.heatmap,
        rows=weekday_names(schema, lang),
        columns=hour_bands(t, "hour_band_short"),
        title=view.charts["heatmap"].title,
        axis=t("hour_axis"),
        note=" ".join((t("heatmap_note", n=data.rules.threshold), unknown_time_note(data, t))),
        source=view.source,
        lang=lang,
    )
    figures["trend"] = charts.trend(
        [r["year"] for r in data.trend],
        [r["incidents"] for r in data.trend],
        [r["incidents_per_1000_missions"] for r in data.trend],
        sorted(data.breaks),
        title=view.charts["trend"].title,
        count_axis=t("count"),
        rate_axis=t("rate_axis"),
        break_label=t("series_break"),
        source=view.source,
        lang=lang,
    )
    return {
        name: charts.save(
            fig,
            out_dir / name,
            title=view.charts[name].title,
            description=view.charts[name].description,
        )
        for name, fig in figures.items()
    }


@cache
def _template() -> jinja2.Template:
    """The page's template, compiled once a process: the page and its print version are
    rendered from it for every language."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(REPORTS_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


def render_html(view: View, *, for_print: bool = False) -> str:
    """The page, each chart inline as the SVG it is (named and described for screen
    readers, its text searchable). `for_print` is the same page for the PDF, with each
    chart as an image of that SVG whose alternative text is its title and description:
    WeasyPrint then reads a chart's thousand elements as one image instead of running
    the page's style cascade over each (a sixth of a language's PDF time), and the
    PDF's figure gets its description too."""

    def inline_svg(name: str) -> str:
        svg = view.chart_files[name][1].read_text(encoding="utf-8")
        return svg[svg.index("<svg") :]

    def image(name: str) -> str:
        chart = view.chart_files[name][1].read_bytes()
        alt = f"{view.charts[name].title}. {view.charts[name].description}"
        data = base64.b64encode(chart).decode("ascii")
        return f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'

    return _template().render(v=view, svg=image if for_print else inline_svg)


def write_report(data: ReportData, schema: Schema, lang: str, out_dir: Path) -> dict[str, Path]:
    """All outputs of one language under `reports/<year>/`; returns them by kind."""
    view = build_view(data, schema, lang)
    view.chart_files = draw_charts(data, schema, view, out_dir / "charts" / lang)
    page = render_html(view)
    page_path = out_dir / f"report{suffix(lang)}.html"
    replace_atomically(page_path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return {
        "html": page_path,
        "pdf": write_pdf(render_html(view, for_print=True), out_dir / f"report{suffix(lang)}.pdf"),
        "xlsx": write_workbook(data, schema, lang, out_dir / f"tables{suffix(lang)}.xlsx"),
        "charts": out_dir / "charts" / lang,
    }
