"""The yearly report in one language: charts, an HTML page, a PDF and a workbook.

The orchestrator of the publish stage's report: it builds the language's
`View` (`view`), draws the charts from the same protected data, and hands the
view to the HTML, PDF and workbook writers, which import the view model, not
this module.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.contract.schema import Schema
from pipelines.publish import charts
from pipelines.publish.report_data import REPORTS_DIR, ReportData
from pipelines.publish.report_pdf import write_pdf
from pipelines.publish.tables import HOUR_BANDS
from pipelines.publish.view import Texts, View, build_view, n, suffix
from pipelines.publish.workbook import write_workbook


def draw_charts(
    data: ReportData, schema: Schema, view: View, out_dir: Path
) -> dict[str, list[Path]]:
    lang = view.lang
    t = Texts(lang)
    short = schema.codelists["region_short"]
    below = data.rules.unreliable_below
    files: dict[str, list[Path]] = {}
    rows = []
    for r in data.regions:
        note = None
        if r["incidents_per_1000_missions"] is None:
            note = t("bar_suppressed") if r["flag"] == "suppressed" else t("bar_not_submitted")
        rows.append(
            (
                short.label(r["region_code"], lang),
                r["incidents_per_1000_missions"],
                r["flag"] == "unreliable",
                note,
            )
        )
    national = data.national["incidents_per_1000_missions"]
    files["regions"] = charts.save(
        charts.rate_by_region(
            rows,
            national,
            title=t("regions_chart_title", year=data.year),
            axis=t("rate_axis"),
            national_label=t("national_line", rate=n(national, lang, 2)),
            unreliable_label=t("legend_unreliable", n=below),
            reliable_label=t("legend_reliable"),
            source=view.source,
            lang=lang,
        ),
        out_dir / "regions",
    )

    contract = schema.contracts["incidents"]
    panels = []
    for dimension, codelist, _ in contract.breakdown_dimensions():
        if dimension in ("month", "weekday", "hour"):
            continue
        labels = schema.codelists[codelist]
        cats = [
            (labels.label(r["category"], lang), r["incidents"], r["percent"])
            for r in data.breakdowns
            if r["dimension"] == dimension
        ]
        panels.append((contract.column(dimension).labels[lang], cats))
    files["what"] = charts.save(
        charts.category_panels(panels, axis=t("percent"), source=view.source, lang=lang),
        out_dir / "what",
    )
    month_labels = schema.codelists["month"]
    months = [
        (month_labels.label(r["category"], lang), r["incidents"])
        for r in data.breakdowns
        if r["dimension"] == "month"
    ]
    files["month"] = charts.save(
        charts.by_month(
            months,
            title=t("month_chart_title", year=data.year),
            axis=t("count"),
            source=view.source,
        ),
        out_dir / "month",
    )
    weekdays = schema.codelists["weekday"]
    step = 24 // HOUR_BANDS
    bands = [t("hour_band", start=f"{h:02d}", end=f"{h + step:02d}") for h in range(0, 24, step)]
    files["heatmap"] = charts.save(
        charts.heatmap(
            data.heatmap,
            rows=[weekdays.label(str(d), lang) for d in range(1, 8)],
            columns=bands,
            title=t("heatmap_title", year=data.year),
            note=" ".join((t("heatmap_note", n=data.rules.threshold), unknown_time_note(data, t))),
            source=view.source,
        ),
        out_dir / "heatmap",
    )
    files["trend"] = charts.save(
        charts.trend(
            [r["year"] for r in data.trend],
            [r["incidents"] for r in data.trend],
            [r["incidents_per_1000_missions"] for r in data.trend],
            sorted(data.breaks),
            title=t("trend_chart_title"),
            count_axis=t("count"),
            rate_axis=t("rate_axis"),
            break_label=t("series_break"),
            source=view.source,
            lang=lang,
        ),
        out_dir / "trend",
    )
    return files


def unknown_time_note(data: ReportData, t: Texts) -> str:
    """How many incidents have no time, as published: hidden when the breakdown hides it."""
    if data.unknown_time is None:
        return t("heatmap_unknown_hidden")
    if data.unknown_time == 0:
        return t("heatmap_unknown_none")
    return t("heatmap_unknown_time", unknown=n(data.unknown_time, t.lang))


def render_html(view: View) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(REPORTS_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def inline_svg(name: str) -> str:
        svg = view.chart_files[name][1].read_text(encoding="utf-8")
        return svg[svg.index("<svg") :]

    return env.get_template("report.html.j2").render(v=view, svg=inline_svg)


def write_report(data: ReportData, schema: Schema, lang: str, out_dir: Path) -> dict[str, Path]:
    """All outputs of one language under `reports/<year>/`; returns them by kind."""
    view = build_view(data, schema, lang)
    view.chart_files = draw_charts(data, schema, view, out_dir / "charts" / lang)
    page = render_html(view)
    html = out_dir / f"report{suffix(lang)}.html"
    html.write_text(page, encoding="utf-8")
    return {
        "html": html,
        "pdf": write_pdf(page, out_dir / f"report{suffix(lang)}.pdf"),
        "xlsx": write_workbook(data, schema, lang, out_dir / f"tables{suffix(lang)}.xlsx"),
        "charts": out_dir / "charts" / lang,
    }


def write_reports(
    data: ReportData, schema: Schema, languages: list[str], out_dir: Path
) -> dict[str, dict[str, Path]]:
    """Every language's outputs; on several cores the languages are drawn in parallel
    (forked workers share the imported libraries, and each language's files are its own)."""
    import importlib
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(languages), os.cpu_count() or 1)
    if workers < 2:
        return {lang: write_report(data, schema, lang, out_dir) for lang in languages}
    for module in ("openpyxl", "jinja2"):
        importlib.import_module(module)  # once here; the forked workers inherit them
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {
            lang: pool.submit(write_report, data, schema, lang, out_dir) for lang in languages
        }
        return {lang: f.result() for lang, f in futures.items()}
