"""The report's content in one language: headings, sentences, tables, chart names.

`build_view` turns the gathered, already-protected data (`report_data`) into a
`View`; the HTML, PDF and workbook writers all draw from that one view, so
their numbers agree. One function per report section keeps each section's
wording and table next to each other; `chart_texts` names and describes each
chart for screen readers from the same published values its table shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines.contract import i18n
from pipelines.contract.schema import Schema
from pipelines.publish.numbers import (
    NOT_AVAILABLE,
    SUPPRESSED,
    fmt_number,
    fmt_percent,
    fmt_signed,
    percent_sign,
)
from pipelines.publish.report_data import ReportData, load_texts
from pipelines.publish.tables import HOUR_BANDS, STATUS_FLAGS, Row

TIME_DIMENSIONS = ("month", "weekday", "hour")


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    text_columns: tuple[int, ...] = (0,)
    chart: str | None = None  # the chart whose numbers the table gives; shown beside it


@dataclass
class Chart:
    """A chart's name and what it shows, for its SVG's `<title>` and `<desc>`."""

    title: str
    description: str


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
    contents: str = ""
    charts: dict[str, Chart] = field(default_factory=dict)
    release: str = ""
    revision: str = ""


def suffix(lang: str) -> str:
    """Finnish is the primary publication: `report.html`; others `report.sv.html`."""
    return "" if lang == "fi" else f".{lang}"


@cache
def report_texts() -> dict[str, i18n.Text]:
    """`reports/texts.yaml`, parsed and checked once per process, not once per language."""
    return i18n.load_texts(load_texts())


class Texts:
    """The report's texts (`reports/texts.yaml`) in one language, with their parameters;
    plural forms are chosen by the same resolver as the contacts' messages."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.all = report_texts()

    def __call__(self, key: str, **params: object) -> str:
        return self.all[key].format(self.lang, **params)

    def flags(self) -> dict[str, str]:
        """The published `flag` codes in words."""
        return {
            k: self(f"flag_{k}") for k in (*STATUS_FLAGS.values(), "suppressed", "unreliable") if k
        }


def n(value: object, lang: str, decimals: int = 0, missing: str = SUPPRESSED) -> str:
    """A number as the language writes it; a missing one as the symbol given."""
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
                fmt_signed(pct, lang, 1) + percent_sign(lang) if pct is not None else SUPPRESSED
            ),
            rate_change=fmt_signed(rate_diff, lang, 2) if rate_diff is not None else SUPPRESSED,
        )
        if data.year in data.breaks:
            change += " " + data.breaks[data.year][lang]
    figures = [
        (t("kf_incidents"), n(nat["incidents"], lang), ""),
        (t("kf_missions"), n(nat["missions"], lang), ""),
        (t("kf_one_per"), n(nat["missions_per_incident"], lang), ""),
        (t("kf_rate"), n(nat["incidents_per_1000_missions"], lang, 2), ""),
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
        incidents=n(nat["incidents"], lang),
        one_per=n(nat["missions_per_incident"], lang),
        rate=n(nat["incidents_per_1000_missions"], lang, 2),
        regions=nat["regions_reporting"],
    )
    return figures, summary


def rate_note(data: ReportData, t: Texts) -> str:
    return t(
        "methods_suppression",
        threshold=data.rules.threshold,
        unreliable=data.rules.unreliable_below,
    )


def _break_notes(data: ReportData, lang: str) -> list[str]:
    """Series breaks within the years the trend shows."""
    return [
        f"{y}: {b[lang]}"
        for y, b in sorted(data.breaks.items())
        if data.trend and data.trend[0]["year"] <= y <= data.year
    ]


def regions_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    short = schema.codelists["region_short"]
    flags = t.flags()
    rows = []
    for r in data.regions:
        hidden = SUPPRESSED if r["flag"] == "suppressed" else NOT_AVAILABLE
        rows.append(
            [
                short.label(r["region_code"], lang),
                n(r["incidents"], lang, missing=hidden),
                n(r["missions"], lang),
                n(r["incidents_per_1000_missions"], lang, 2, missing=hidden),
                n(r["missions_per_incident"], lang, missing=NOT_AVAILABLE),
                flags.get(r["flag"], ""),
            ]
        )
    nat = data.national
    rows.append(
        [
            t("national"),
            n(nat["incidents"], lang),
            n(nat["missions"], lang),
            n(nat["incidents_per_1000_missions"], lang, 2),
            n(nat["missions_per_incident"], lang),
            "",
        ]
    )
    header = [t("t_region"), t("t_incidents"), t("t_missions"), t("t_rate"), t("t_mpi")]
    notes = [rate_note(data, t)]
    if any(not_reporting(r) for r in data.regions):
        notes.append(t("regions_missing_note"))
    return Section(
        "regions",
        t("regions_heading"),
        charts=["regions"],
        tables=[
            Table(
                t("regions_chart_title", year=data.year),
                [*header, t("t_flag")],
                rows,
                notes,
                text_columns=(0, 5),
                chart="regions",
            )
        ],
    )


def not_reporting(region: Row) -> bool:
    """An area whose rate is not available (`.`), as opposed to hidden (`..`)."""
    return region["incidents_per_1000_missions"] is None and region["flag"] != "suppressed"


def category_panels(data: ReportData, schema: Schema, lang: str) -> list[tuple[str, list[Row]]]:
    """Each coded dimension's title and its published rows, each row with its category's
    label: one selection for the "what happened" tables, chart and description."""
    contract = schema.contracts["incidents"]
    return [
        (
            contract.column(dimension).labels[lang],
            [
                {**r, "label": schema.codelists[codelist].label(r["category"], lang)}
                for r in data.breakdowns
                if r["dimension"] == dimension
            ],
        )
        for dimension, codelist, _ in contract.breakdown_dimensions()
        if dimension not in TIME_DIMENSIONS
    ]


def month_rows(data: ReportData, schema: Schema, lang: str) -> list[Row]:
    """The published month breakdown, each row with its month's name."""
    months = schema.codelists["month"]
    return [
        {**r, "label": months.label(r["category"], lang)}
        for r in data.breakdowns
        if r["dimension"] == "month"
    ]


def weekday_names(schema: Schema, lang: str) -> list[str]:
    """The heat map's rows: ISO weekdays 1 (Monday) to 7."""
    return [schema.codelists["weekday"].label(str(day), lang) for day in range(1, 8)]


def what_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    section = Section("what", t("what_heading"), charts=["what"])
    for title, rows in category_panels(data, schema, lang):
        section.tables.append(
            Table(
                title,
                [t("category"), t("t_incidents"), t("percent")],
                [[r["label"], n(r["incidents"], lang), n(r["percent"], lang, 1)] for r in rows],
                chart="what",
            )
        )
    return section


def when_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    months = schema.codelists["month"]
    rows = [
        [r["label"], n(r["incidents"], lang), n(r["percent"], lang, 1)]
        for r in month_rows(data, schema, lang)
    ]
    header = [months.labels[lang], t("t_incidents"), t("percent")]
    weekdays = schema.codelists["weekday"]
    heat_rows = [
        [day, *[n(v, lang) for v in cells]]
        for day, cells in zip(weekday_names(schema, lang), data.heatmap, strict=True)
    ]
    return Section(
        "when",
        t("when_heading"),
        charts=["month", "heatmap"],
        tables=[
            Table(months.labels[lang], header, rows, chart="month"),
            Table(
                t("heatmap_title", year=data.year),
                [weekdays.labels[lang], *hour_bands(t, "hour_band")],
                heat_rows,
                [t("heatmap_note", n=data.rules.threshold), unknown_time_note(data, t)],
                chart="heatmap",
            ),
        ],
    )


def hour_bands(t: Texts, key: str) -> list[str]:
    """The heat map's time-of-day bands as `key` writes them (`klo 00–04` or `00–04`)."""
    step = 24 // HOUR_BANDS
    return [t(key, start=f"{h:02d}", end=f"{h + step:02d}") for h in range(0, 24, step)]


def unknown_time_note(data: ReportData, t: Texts) -> str:
    """How many incidents have no time, as published: hidden when the breakdown hides it."""
    if data.unknown_time is None:
        return t("heatmap_unknown_hidden")
    if data.unknown_time == 0:
        return t("heatmap_unknown_none")
    return t("heatmap_unknown_time", unknown=n(data.unknown_time, t.lang))


def trend_section(data: ReportData, t: Texts) -> Section:
    lang = t.lang
    rows = [
        [
            str(r["year"]),
            n(r["incidents"], lang),
            n(r["missions"], lang),
            n(r["incidents_per_1000_missions"], lang, 2),
            str(r["regions_reporting"]),
        ]
        for r in data.trend
    ]
    header = [t("year"), t("t_incidents"), t("t_missions"), t("t_rate"), t("kf_regions")]
    return Section(
        "trend",
        t("trend_heading"),
        charts=["trend"],
        tables=[
            Table(t("trend_chart_title"), header, rows, _break_notes(data, lang), chart="trend")
        ],
    )


def quality_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    short = schema.codelists["region_short"]
    rows, notes = [], []
    for q in data.quality:
        rows.append(
            [
                short.label(q["region_code"], lang),
                t(f"status_{q['status']}"),
                q["received"].isoformat() if q["received"] else NOT_AVAILABLE,
                f"{q['files']} ({q['rejected']})",
                str(q["warnings"]),
                NOT_AVAILABLE if q["months_reported"] is None else str(q["months_reported"]),
            ]
        )
        if q["rejected_after_in_force"]:
            notes.append(t("q_rejected_in_force", region=short.label(q["region_code"], lang)))
    header = [
        t("q_region"),
        t("q_status"),
        t("q_received"),
        t("q_files"),
        t("q_warnings"),
        t("q_months"),
    ]
    tables = [Table(t("quality_heading"), header, rows, text_columns=(0, 1))]
    if data.explained:
        reasons = schema.codelists["explanation_reasons"]
        notes.append(t("q_explained_intro"))
        tables.append(
            Table(
                t("q_explained_heading"),
                [t("q_region"), t("q_check"), t("q_reason")],
                [
                    [
                        short.label(e["region_code"], lang),
                        schema.plausibility[e["rule"]].labels[lang],
                        reasons.label(e["reason"], lang),
                    ]
                    for e in data.explained
                ],
                text_columns=(0, 1, 2),
            )
        )
    return Section(
        "quality",
        t("quality_heading"),
        paragraphs=[t("quality_intro"), *notes],
        tables=tables,
    )


def methods_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    variables = [
        f"{c.labels[lang]}: {c.description[lang]}"
        for c in schema.contracts["incidents"].columns
        if c.breakdown or c.name in ("incident_date", "incident_time")
    ]
    return Section(
        "methods",
        t("methods_heading"),
        paragraphs=[
            t("methods_rates"),
            rate_note(data, t),
            t("methods_symbols"),
            t("methods_underreporting"),
            *[f"{t('comparability')}: {b}" for b in _break_notes(data, lang)],
        ],
        tables=[Table(t("methods_variables"), [t("methods_variables")], [[v] for v in variables])],
    )


def _range(t: Texts, points: list[tuple[str, float, str]]) -> str:
    """The highest and lowest published point (label, value, value as written). Hidden
    values are left out, so the words say "published": a hidden one may be lower."""
    if not points:
        return t("desc_none")
    if len(points) == 1:
        return t("desc_only", only=f"{points[0][0]} ({points[0][2]})")
    high = max(points, key=lambda p: p[1])
    low = min(points, key=lambda p: p[1])
    return t("desc_range", high=f"{high[0]} ({high[2]})", low=f"{low[0]} ({low[2]})")


def _gaps(t: Texts, hidden: int, missing: int = 0) -> list[str]:
    """How many values are hidden (`..`) or not available (`.`), when any are."""
    return [
        *([t("desc_hidden", n=hidden)] if hidden else []),
        *([t("desc_missing", n=missing)] if missing else []),
    ]


def chart_texts(data: ReportData, schema: Schema, t: Texts) -> dict[str, Chart]:
    """Each chart's title and a description of what it shows, for readers who do not
    see it: its kind, its extremes among the published values and what is hidden."""
    lang = t.lang
    short = schema.codelists["region_short"]
    rates = [
        (short.label(r["region_code"], lang), r["incidents_per_1000_missions"], r)
        for r in data.regions
    ]
    national = n(data.national["incidents_per_1000_missions"], lang, 2, missing=NOT_AVAILABLE)
    regions = [
        t("desc_regions", national=national),
        _range(t, [(name, rate, n(rate, lang, 2)) for name, rate, _ in rates if rate is not None]),
        *_gaps(
            t,
            sum(r["flag"] == "suppressed" and rate is None for _, rate, r in rates),
            sum(not_reporting(r) for _, _, r in rates),
        ),
    ]

    top = []
    for title, rows in category_panels(data, schema, lang):
        shown = [r for r in rows if r["percent"] is not None]
        if shown:
            best = max(shown, key=lambda r: r["percent"])
            top.append(f"{title}: {best['label']} {fmt_percent(best['percent'], lang, 1)}")

    by_month = [(r["label"], r["incidents"]) for r in month_rows(data, schema, lang)]
    month = [
        t("desc_month"),
        _range(t, [(m, c, n(c, lang)) for m, c in by_month if c is not None]),
        *_gaps(t, sum(c is None for _, c in by_month)),
    ]

    bands = hour_bands(t, "hour_band")
    cells = [
        (f"{day} {bands[band]}", value)
        for day, row in zip(weekday_names(schema, lang), data.heatmap, strict=True)
        for band, value in enumerate(row)
    ]
    heat = [
        t("desc_heatmap", hours=24 // HOUR_BANDS),
        _range(t, [(cell, v, n(v, lang)) for cell, v in cells if v is not None]),
        *_gaps(t, sum(v is None for _, v in cells)),
    ]

    shown_years = [r for r in data.trend if r["incidents"] is not None]
    ends = shown_years[:1] + shown_years[1:][-1:]
    points = "; ".join(
        t(
            "desc_trend_point",
            year=r["year"],
            count=n(r["incidents"], lang),
            rate=n(r["incidents_per_1000_missions"], lang, 2),
        )
        for r in ends
    )
    trend = [t("desc_trend"), t("desc_trend_points", points=points) if ends else t("desc_none")]
    breaks = [str(y) for y in sorted(data.breaks) if ends and ends[0]["year"] < y <= data.year]
    if breaks:
        trend.append(f"{t('series_break')}: {', '.join(breaks)}.")

    return {
        "regions": Chart(t("regions_chart_title", year=data.year), " ".join(regions)),
        "what": Chart(
            t("what_chart_title", year=data.year),
            " ".join(
                (t("desc_what"), t("desc_what_top", top="; ".join(top)) if top else t("desc_none"))
            ),
        ),
        "month": Chart(t("month_chart_title", year=data.year), " ".join(month)),
        "heatmap": Chart(t("heatmap_title", year=data.year), " ".join(heat)),
        "trend": Chart(t("trend_chart_title"), " ".join(trend)),
    }


def release_texts(data: ReportData, t: Texts) -> tuple[str, str]:
    """Which release the report is and, from the second on, what was revised since the
    one before; both empty for a plain run, whose report is then as it always was."""
    release = data.release
    if release is None:
        return "", ""
    day = release.date
    label = t(
        "release_label",
        number=release.number,
        day=day.day,
        month=day.month,
        year=day.year,
        iso_date=day.isoformat(),
    )
    if release.number == 1:
        return label, ""
    revision = t("revision_note", n=release.revised_cells, previous=release.number - 1)
    if release.note:
        revision += " " + t("revision_reason", reason=release.note)
    return label, revision


def build_view(data: ReportData, schema: Schema, lang: str) -> View:
    """The whole report in one language, section by section."""
    t = Texts(lang)
    figures, summary = _key_figures(data, t, lang)
    release, revision = release_texts(data, t)
    return View(
        lang=lang,
        year=data.year,
        title=t("title", year=data.year),
        subtitle=t("subtitle"),
        publisher=t("publisher"),
        source=t("source", publisher=t("publisher"), version=data.version),
        key_figures=figures,
        summary=summary,
        sections=[
            Section("key", t("key_figures")),
            regions_section(data, schema, t),
            what_section(data, schema, t),
            when_section(data, schema, t),
            trend_section(data, t),
            quality_section(data, schema, t),
            methods_section(data, schema, t),
        ],
        contents=t("contents"),
        charts=chart_texts(data, schema, t),
        release=release,
        revision=revision,
    )
