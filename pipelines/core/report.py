"""The yearly report in one language: charts, an HTML page, a PDF and a workbook.

`build_view` turns the gathered, already-protected data into the report's
content (headings, sentences, tables, charts) in one language; the HTML, PDF
and workbook renderers all draw from that one view, so their numbers agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.core import charts
from pipelines.core.numbers import SUPPRESSED, fmt_number, fmt_signed
from pipelines.core.publish import HOUR_BANDS, STATUS_FLAGS
from pipelines.core.report_data import REPORTS_DIR, ReportData, load_texts
from pipelines.core.schema import Schema

FLAG_SYMBOL = {"suppressed": SUPPRESSED, "unreliable": "*"}


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    text_columns: tuple[int, ...] = (0,)


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class View:
    lang: str
    year: int
    title: str
    subtitle: str
    publisher: str
    source: str
    key_figures: list[tuple[str, str, str]]
    summary: str
    sections: list[Section]
    chart_files: dict[str, list[Path]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def suffix(lang: str) -> str:
    """Finnish is the primary publication: `report.html`; others `report.sv.html`."""
    return "" if lang == "fi" else f".{lang}"


class Texts:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.all = load_texts()

    def __call__(self, key: str, **params: object) -> str:
        return self.all[key][self.lang].format(**params)

    def flags(self) -> dict[str, str]:
        """The published `flag` codes in words."""
        return {
            k: self(f"flag_{k}") for k in (*STATUS_FLAGS.values(), "suppressed", "unreliable") if k
        }


def _n(value: object, lang: str, decimals: int = 0, missing: str = SUPPRESSED) -> str:
    return fmt_number(value, lang, decimals, missing=missing)  # type: ignore[arg-type]


def _key_figures(data: ReportData, t: Texts, lang: str) -> tuple[list[tuple[str, str, str]], str]:
    nat = data.national
    change = t("kf_no_previous")
    prev = data.previous
    if prev and prev["incidents"] is not None and nat["incidents"] is not None:
        diff = nat["incidents"] - prev["incidents"]
        pct = 100 * diff / prev["incidents"] if prev["incidents"] else None
        rate_diff = (
            nat["incidents_per_1000_missions"] - prev["incidents_per_1000_missions"]
            if nat["incidents_per_1000_missions"] is not None
            and prev["incidents_per_1000_missions"] is not None
            else None
        )
        change = t(
            "kf_change_text",
            count_change=fmt_signed(diff, lang),
            count_pct=(
                fmt_signed(pct, lang, 1) + ("%" if lang == "en" else "\u00a0%")
                if pct is not None
                else SUPPRESSED
            ),
            rate_change=fmt_signed(rate_diff, lang, 2) if rate_diff is not None else SUPPRESSED,
        )
        if data.year in data.breaks:
            change += " " + data.breaks[data.year][lang]
    figures = [
        (t("kf_incidents"), _n(nat["incidents"], lang), ""),
        (t("kf_missions"), _n(nat["missions"], lang), ""),
        (t("kf_one_per"), _n(nat["missions_per_incident"], lang), ""),
        (t("kf_rate"), _n(nat["incidents_per_1000_missions"], lang, 2), ""),
        (
            t("kf_regions"),
            t("kf_regions_value", n=nat["regions_reporting"], total=data.regions_total),
            "",
        ),
        (t("kf_change"), "", change),
    ]
    summary = t(
        "summary",
        year=data.year,
        incidents=_n(nat["incidents"], lang),
        one_per=_n(nat["missions_per_incident"], lang),
        rate=_n(nat["incidents_per_1000_missions"], lang, 2),
        regions=nat["regions_reporting"],
    )
    return figures, summary


def build_view(data: ReportData, schema: Schema, lang: str) -> View:
    t = Texts(lang)
    short = schema.codelists["region_short"]
    figures, summary = _key_figures(data, t, lang)
    flags = t.flags()

    region_rows = []
    for r in data.regions:
        region_rows.append(
            [
                short.label(r["region_code"], lang),
                _n(r["incidents"], lang, missing=SUPPRESSED if r["flag"] == "suppressed" else "."),
                _n(r["missions"], lang),
                _n(
                    r["incidents_per_1000_missions"],
                    lang,
                    2,
                    missing=SUPPRESSED if r["flag"] == "suppressed" else ".",
                ),
                _n(r["missions_per_incident"], lang, missing="."),
                flags.get(r["flag"], ""),
            ]
        )
    nat = data.national
    region_rows.append(
        [
            t("national"),
            _n(nat["incidents"], lang),
            _n(nat["missions"], lang),
            _n(nat["incidents_per_1000_missions"], lang, 2),
            _n(nat["missions_per_incident"], lang),
            "",
        ]
    )
    rate_note = t(
        "methods_suppression",
        threshold=data.rules.threshold,
        unreliable=data.rules.unreliable_below,
    )
    regions = Section(
        "regions",
        t("regions_heading"),
        charts=["regions"],
        tables=[
            Table(
                t("regions_chart_title", year=data.year),
                [
                    t("t_region"),
                    t("t_incidents"),
                    t("t_missions"),
                    t("t_rate"),
                    t("t_mpi"),
                    t("t_flag"),
                ],
                region_rows,
                [rate_note],
                text_columns=(0, 5),
            )
        ],
    )

    what = Section("what", t("what_heading"), charts=["what"])
    incidents_contract = schema.contracts["incidents"]
    for dimension, codelist, _ in incidents_contract.breakdown_dimensions():
        if dimension in ("month", "weekday", "hour"):
            continue
        rows = [r for r in data.breakdowns if r["dimension"] == dimension]
        labels = schema.codelists[codelist]
        what.tables.append(
            Table(
                incidents_contract.column(dimension).labels[lang],
                [t("category"), t("t_incidents"), t("percent")],
                [
                    [
                        labels.label(r["category"], lang),
                        _n(r["incidents"], lang),
                        _n(r["percent"], lang, 1),
                    ]
                    for r in rows
                ],
            )
        )

    months = [r for r in data.breakdowns if r["dimension"] == "month"]
    when = Section("when", t("when_heading"), charts=["month", "heatmap"])
    when.tables.append(
        Table(
            schema.codelists["month"].labels[lang],
            [schema.codelists["month"].labels[lang], t("t_incidents"), t("percent")],
            [
                [
                    schema.codelists["month"].label(r["category"], lang),
                    _n(r["incidents"], lang),
                    _n(r["percent"], lang, 1),
                ]
                for r in months
            ],
        )
    )

    trend_rows = [
        [
            str(r["year"]),
            _n(r["incidents"], lang),
            _n(r["missions"], lang),
            _n(r["incidents_per_1000_missions"], lang, 2),
            str(r["regions_reporting"]),
        ]
        for r in data.trend
    ]
    break_notes = [
        f"{y}: {b[lang]}"
        for y, b in sorted(data.breaks.items())
        if data.trend and data.trend[0]["year"] <= y <= data.year
    ]
    trend = Section(
        "trend",
        t("trend_heading"),
        charts=["trend"],
        tables=[
            Table(
                t("trend_chart_title"),
                [t("year"), t("t_incidents"), t("t_missions"), t("t_rate"), t("kf_regions")],
                trend_rows,
                break_notes,
            )
        ],
    )

    quality_rows, notes = [], []
    for q in data.quality:
        quality_rows.append(
            [
                short.label(q["region_code"], lang),
                t(f"status_{q['status']}"),
                q["received"].isoformat() if q["received"] else ".",
                f"{q['files']} ({q['rejected']})",
                str(q["warnings"]),
                "." if q["months_reported"] is None else str(q["months_reported"]),
            ]
        )
        if q["rejected_after_in_force"]:
            notes.append(t("q_rejected_in_force", region=short.label(q["region_code"], lang)))
    quality = Section(
        "quality",
        t("quality_heading"),
        paragraphs=[t("quality_intro"), *notes],
        tables=[
            Table(
                t("quality_heading"),
                [
                    t("q_region"),
                    t("q_status"),
                    t("q_received"),
                    t("q_files"),
                    t("q_warnings"),
                    t("q_months"),
                ],
                quality_rows,
                text_columns=(0, 1),
            )
        ],
    )

    variables = [
        f"{c.labels[lang]}: {c.description[lang]}"
        for c in incidents_contract.columns
        if c.breakdown or c.name in ("incident_date", "incident_time")
    ]
    methods = Section(
        "methods",
        t("methods_heading"),
        paragraphs=[
            t("methods_rates"),
            rate_note,
            t("methods_symbols"),
            t("methods_underreporting"),
            *[f"{t('comparability')}: {b}" for b in break_notes],
        ],
        tables=[Table(t("methods_variables"), [t("methods_variables")], [[v] for v in variables])],
    )

    return View(
        lang=lang,
        year=data.year,
        title=t("title", year=data.year),
        subtitle=t("subtitle"),
        publisher=t("publisher"),
        source=t("source", publisher=t("publisher"), version=data.version),
        key_figures=figures,
        summary=summary,
        sections=[Section("key", t("key_figures")), regions, what, when, trend, quality, methods],
        texts={k: v[lang] for k, v in load_texts().items()},
    )


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
            national_label=t("national_line", rate=_n(national, lang, 2)),
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
            note=t("heatmap_note", n=data.rules.threshold, unknown=data.unknown_time),
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
    from pipelines.core.report_pdf import write_pdf
    from pipelines.core.workbook import write_workbook

    view = build_view(data, schema, lang)
    view.chart_files = draw_charts(data, schema, view, out_dir / "charts" / lang)
    html = out_dir / f"report{suffix(lang)}.html"
    html.write_text(render_html(view), encoding="utf-8")
    return {
        "html": html,
        "pdf": write_pdf(view, out_dir / f"report{suffix(lang)}.pdf"),
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
    for module in ("pipelines.core.report_pdf", "pipelines.core.workbook", "openpyxl", "jinja2"):
        importlib.import_module(module)  # once here; the forked workers inherit them
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {
            lang: pool.submit(write_report, data, schema, lang, out_dir) for lang in languages
        }
        return {lang: f.result() for lang, f in futures.items()}
