"""The yearly report in one language: its charts, HTML page, PDF and workbook.

The orchestrator of the publish stage's report: it builds the language's `View`
(`view`) and hands it to each writer, which takes nothing else: `draw_charts` here,
the page (`render_html`, here) and its PDF (`report_pdf`), and the workbook
(`workbook`). `report_workers` runs it for each language in a worker process.
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
from pipelines.publish.report_data import REPORTS_DIR, ReportData
from pipelines.publish.report_pdf import write_pdf
from pipelines.publish.view import View, build_view, suffix
from pipelines.publish.workbook import write_workbook

if TYPE_CHECKING:
    import jinja2

# The function in `charts` that draws each of the view's charts from its values.
DRAWINGS = {
    "regions": charts.rate_by_region,
    "what": charts.category_panels,
    "month": charts.by_month,
    "heatmap": charts.heatmap,
    "trend": charts.trend,
}


def draw_charts(view: View, out_dir: Path) -> dict[str, list[Path]]:
    """Each of the view's charts as PNG and SVG: drawn from the values the view gives,
    titled and described by it, with its source line."""
    files = {}
    for name, chart in view.charts.items():
        figure = DRAWINGS[name](
            **chart.values, title=chart.title, source=view.source, lang=view.lang
        )
        files[name] = charts.save(
            figure, out_dir / name, title=chart.title, description=chart.description
        )
    return files


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
    view.chart_files = draw_charts(view, out_dir / "charts" / lang)
    page = render_html(view)
    page_path = out_dir / f"report{suffix(lang)}.html"
    replace_atomically(page_path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return {
        "html": page_path,
        "pdf": write_pdf(render_html(view, for_print=True), out_dir / f"report{suffix(lang)}.pdf"),
        "xlsx": write_workbook(view, out_dir / f"tables{suffix(lang)}.xlsx"),
        "charts": out_dir / "charts" / lang,
    }
