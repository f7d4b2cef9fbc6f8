"""The report in one language, as every writer of it draws it: the `View`.

`build_view` turns the gathered, already-protected data (`report_data`) into one
`View` per language, and the writers take nothing else: the HTML page and its PDF
draw its sections (sentences, and tables of numbers as the language writes them),
`report.draw_charts` draws each chart from the values and words the view gives it,
and the workbook writes its sheets (numbers kept as numbers) and metadata. So a
number, a label or a symbol for a hidden value reads the same in every output. One
function per section, chart and sheet keeps its words next to its numbers; what they
share (a region's symbol for a missing value, the categories of each variable, the
months, weekdays and hour bands, the notes) is derived once, here. A chart's
description for screen readers is written from the same values it draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.contract.schema import Schema
from pipelines.publish.numbers import (
    NOT_AVAILABLE,
    RATE_DECIMALS,
    SUPPRESSED,
    fmt_number,
    fmt_percent,
    fmt_signed,
    percent_sign,
)
from pipelines.publish.report_data import ReportData
from pipelines.publish.tables import HOUR_BANDS, Row
from pipelines.publish.texts import Texts

TIME_DIMENSIONS = ("month", "weekday", "hour")
# A region without a published rate: its symbol and the chart's words for it.
GAP_WORDS = {SUPPRESSED: "bar_suppressed", NOT_AVAILABLE: "bar_not_submitted"}
# The workbook's columns: the key of the published row and the text of its header.
NATIONAL_COLUMNS = (
    ("year", "year"),
    ("incidents", "t_incidents"),
    ("missions", "t_missions"),
    ("incidents_per_1000_missions", "t_rate"),
    ("missions_per_incident", "t_mpi"),
    ("regions_reporting", "kf_regions"),
)
REGION_COLUMNS = (
    ("region_code", "t_code"),
    ("region_name", "t_region"),
    *NATIONAL_COLUMNS[1:5],
    ("flag", "t_flag"),
)
BREAKDOWN_COLUMNS = (
    ("dimension_label", "dimension"),
    ("category_label", "category"),
    ("incidents", "t_incidents"),
    ("percent", "percent"),
    ("flag", "t_flag"),
)


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
    """A chart: its name and what it shows, for its SVG's `<title>` and `<desc>`, and
    what it draws: the values and words its function in `charts` takes, by keyword."""

    title: str
    description: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Sheet:
    """A sheet of the workbook: the published rows with numbers as numbers, `columns`
    as (key of the row, header); a hidden value is empty and its row's flag says why."""

    name: str
    heading: str
    units: str
    columns: list[tuple[str, str]]
    rows: list[Row]
    notes: list[str]


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
    sheets: list[Sheet] = field(default_factory=list)
    # The workbook's last sheet: its name, and what the release is, its source and rules.
    metadata_sheet: str = ""
    metadata: list[tuple[str, str]] = field(default_factory=list)


def suffix(lang: str) -> str:
    """Finnish is the primary publication: `report.html`; others `report.sv.html`."""
    return "" if lang == "fi" else f".{lang}"


def _number(value: object, lang: str, decimals: int = 0, missing: str = SUPPRESSED) -> str:
    """A number as the language writes it; a missing one as the symbol given, by default
    that of a value hidden by disclosure control."""
    return fmt_number(value, lang, decimals, missing=missing)  # type: ignore[arg-type]


def gap_symbol(region: Row) -> str:
    """The symbol of a region's missing values: `..` where disclosure control hid them,
    `.` where there are none (the region sent no data)."""
    return SUPPRESSED if region["flag"] == "suppressed" else NOT_AVAILABLE


def not_reporting(region: Row) -> bool:
    """An area whose rate is not available (`.`), as opposed to hidden (`..`)."""
    return region["incidents_per_1000_missions"] is None and gap_symbol(region) == NOT_AVAILABLE


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
            rate_change=fmt_signed(rate_diff, lang, RATE_DECIMALS)
            if rate_diff is not None
            else SUPPRESSED,
        )
        if data.year in data.breaks:
            change += " " + data.breaks[data.year][lang]
    figures = [
        (t("kf_incidents"), _number(nat["incidents"], lang), ""),
        (t("kf_missions"), _number(nat["missions"], lang), ""),
        (t("kf_one_per"), _number(nat["missions_per_incident"], lang), ""),
        (t("kf_rate"), _number(nat["incidents_per_1000_missions"], lang, RATE_DECIMALS), ""),
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
        incidents=_number(nat["incidents"], lang),
        one_per=_number(nat["missions_per_incident"], lang),
        rate=_number(nat["incidents_per_1000_missions"], lang, RATE_DECIMALS),
        regions=nat["regions_reporting"],
    )
    return figures, summary


def _rate_note(data: ReportData, t: Texts) -> str:
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
        hidden = gap_symbol(r)
        rows.append(
            [
                short.label(r["region_code"], lang),
                _number(r["incidents"], lang, missing=hidden),
                _number(r["missions"], lang),
                _number(r["incidents_per_1000_missions"], lang, RATE_DECIMALS, missing=hidden),
                _number(r["missions_per_incident"], lang, missing=NOT_AVAILABLE),
                flags.get(r["flag"], ""),
            ]
        )
    nat = data.national
    rows.append(
        [
            t("national"),
            _number(nat["incidents"], lang),
            _number(nat["missions"], lang),
            _number(nat["incidents_per_1000_missions"], lang, RATE_DECIMALS),
            _number(nat["missions_per_incident"], lang),
            "",
        ]
    )
    header = [t("t_region"), t("t_incidents"), t("t_missions"), t("t_rate"), t("t_mpi")]
    notes = [_rate_note(data, t)]
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
                [
                    [r["label"], _number(r["incidents"], lang), _number(r["percent"], lang, 1)]
                    for r in rows
                ],
                chart="what",
            )
        )
    return section


def when_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    months = schema.codelists["month"]
    rows = [
        [r["label"], _number(r["incidents"], lang), _number(r["percent"], lang, 1)]
        for r in month_rows(data, schema, lang)
    ]
    header = [months.labels[lang], t("t_incidents"), t("percent")]
    weekdays = schema.codelists["weekday"]
    heat_rows = [
        [day, *[_number(v, lang) for v in cells]]
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
    return t("heatmap_unknown_time", unknown=_number(data.unknown_time, t.lang))


def trend_section(data: ReportData, t: Texts) -> Section:
    lang = t.lang
    rows = [
        [
            str(r["year"]),
            _number(r["incidents"], lang),
            _number(r["missions"], lang),
            _number(r["incidents_per_1000_missions"], lang, RATE_DECIMALS),
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
            _rate_note(data, t),
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


def _regions_chart(data: ReportData, schema: Schema, t: Texts) -> Chart:
    """Bars of each region's rate, and a region without one marked by its symbol and
    words instead of a bar; the national rate as a line."""
    lang = t.lang
    short = schema.codelists["region_short"]
    bars = []
    for r in data.regions:
        rate, gap = r["incidents_per_1000_missions"], gap_symbol(r)
        marker = None if rate is not None else f"{gap} {t(GAP_WORDS[gap])}"
        bars.append((short.label(r["region_code"], lang), rate, r["flag"] == "unreliable", marker))
    gaps = [gap_symbol(r) for r in data.regions if r["incidents_per_1000_missions"] is None]
    national = data.national["incidents_per_1000_missions"]
    description = [
        t("desc_regions", national=_number(national, lang, RATE_DECIMALS, missing=NOT_AVAILABLE)),
        _range(
            t,
            [
                (name, rate, _number(rate, lang, RATE_DECIMALS))
                for name, rate, *_ in bars
                if rate is not None
            ],
        ),
        *_gaps(t, gaps.count(SUPPRESSED), gaps.count(NOT_AVAILABLE)),
    ]
    return Chart(
        t("regions_chart_title", year=data.year),
        " ".join(description),
        {
            "rows": bars,
            "national": national,
            "axis": t("rate_axis"),
            "national_label": t("national_line", rate=_number(national, lang, RATE_DECIMALS)),
            "unreliable_label": t("legend_unreliable", n=data.rules.unreliable_below),
            "reliable_label": t("legend_reliable"),
        },
    )


def _what_chart(data: ReportData, schema: Schema, t: Texts) -> Chart:
    """Each variable's categories as bars of percent, the most common one named."""
    lang = t.lang
    panels = [
        (title, [(r["label"], r["incidents"], r["percent"]) for r in rows])
        for title, rows in category_panels(data, schema, lang)
    ]
    top = []
    for title, rows in panels:
        shown = [(label, pct) for label, _, pct in rows if pct is not None]
        if shown:
            label, pct = max(shown, key=lambda s: s[1])
            top.append(f"{title}: {label} {fmt_percent(pct, lang, 1)}")
    description = (
        t("desc_what"),
        t("desc_what_top", top="; ".join(top)) if top else t("desc_none"),
    )
    return Chart(t("what_chart_title", year=data.year), " ".join(description), {"panels": panels})


def _month_chart(data: ReportData, schema: Schema, t: Texts) -> Chart:
    """Incidents by month."""
    lang = t.lang
    months = [(r["label"], r["incidents"]) for r in month_rows(data, schema, lang)]
    description = [
        t("desc_month"),
        _range(t, [(m, c, _number(c, lang)) for m, c in months if c is not None]),
        *_gaps(t, sum(c is None for _, c in months)),
    ]
    return Chart(
        t("month_chart_title", year=data.year),
        " ".join(description),
        {"months": months, "axis": t("count")},
    )


def _heatmap_chart(data: ReportData, schema: Schema, t: Texts) -> Chart:
    """Incidents by weekday and time of day."""
    lang = t.lang
    days = weekday_names(schema, lang)
    bands = hour_bands(t, "hour_band")
    cells = [
        (f"{day} {bands[band]}", value)
        for day, row in zip(days, data.heatmap, strict=True)
        for band, value in enumerate(row)
    ]
    description = [
        t("desc_heatmap", hours=24 // HOUR_BANDS),
        _range(t, [(cell, v, _number(v, lang)) for cell, v in cells if v is not None]),
        *_gaps(t, sum(v is None for _, v in cells)),
    ]
    note = " ".join((t("heatmap_note", n=data.rules.threshold), unknown_time_note(data, t)))
    return Chart(
        t("heatmap_title", year=data.year),
        " ".join(description),
        {
            "cells": data.heatmap,
            "rows": days,
            "columns": hour_bands(t, "hour_band_short"),
            "axis": t("hour_axis"),
            "note": note,
        },
    )


def _trend_chart(data: ReportData, t: Texts) -> Chart:
    """Incidents and the rate by year, with the series breaks."""
    lang = t.lang
    shown_years = [r for r in data.trend if r["incidents"] is not None]
    ends = shown_years[:1] + shown_years[1:][-1:]
    points = "; ".join(
        t(
            "desc_trend_point",
            year=r["year"],
            count=_number(r["incidents"], lang),
            rate=_number(r["incidents_per_1000_missions"], lang, RATE_DECIMALS),
        )
        for r in ends
    )
    description = [
        t("desc_trend"),
        t("desc_trend_points", points=points) if ends else t("desc_none"),
    ]
    breaks = [str(y) for y in sorted(data.breaks) if ends and ends[0]["year"] < y <= data.year]
    if breaks:
        description.append(f"{t('series_break')}: {', '.join(breaks)}.")
    return Chart(
        t("trend_chart_title"),
        " ".join(description),
        {
            "years": [r["year"] for r in data.trend],
            "incidents": [r["incidents"] for r in data.trend],
            "rates": [r["incidents_per_1000_missions"] for r in data.trend],
            "breaks": sorted(data.breaks),
            "count_axis": t("count"),
            "rate_axis": t("rate_axis"),
            "break_label": t("series_break"),
        },
    )


def chart_views(data: ReportData, schema: Schema, t: Texts) -> dict[str, Chart]:
    """Each chart by name, in the order the report shows them."""
    return {
        "regions": _regions_chart(data, schema, t),
        "what": _what_chart(data, schema, t),
        "month": _month_chart(data, schema, t),
        "heatmap": _heatmap_chart(data, schema, t),
        "trend": _trend_chart(data, t),
    }


def _columns(t: Texts, columns: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """A sheet's columns as (key of the row, header in the language)."""
    return [(key, t(text)) for key, text in columns]


def _regions_sheet(data: ReportData, schema: Schema, t: Texts) -> Sheet:
    """Each region by its code and full name, its flag in words."""
    flags = t.flags()
    rows = [
        {
            **r,
            "region_name": schema.codelists["regions"].label(r["region_code"], t.lang),
            "flag": flags.get(r["flag"], ""),
        }
        for r in data.regions
    ]
    heading = t("regions_chart_title", year=data.year)
    columns = _columns(t, REGION_COLUMNS)
    return Sheet(
        t("sheet_regions"), heading, t("units_counts"), columns, rows, [_rate_note(data, t)]
    )


def _breakdowns_sheet(data: ReportData, schema: Schema, t: Texts) -> Sheet:
    """Every breakdown, the time of day and weekday included, with its variable's name."""
    lang = t.lang
    contract = schema.contracts["incidents"]
    dims = {
        d: (
            c,
            contract.column(d).labels[lang]
            if d in contract.column_names
            else schema.codelists[c].labels[lang],
        )
        for d, c, _ in contract.breakdown_dimensions()
    }
    flags = t.flags()
    rows = [
        {
            **r,
            "dimension_label": dims[r["dimension"]][1],
            "category_label": schema.codelists[dims[r["dimension"]][0]].label(r["category"], lang),
            "flag": flags.get(r["flag"], ""),
        }
        for r in data.breakdowns
    ]
    heading = f"{t('what_heading')} {data.year}"
    columns = _columns(t, BREAKDOWN_COLUMNS)
    return Sheet(
        t("sheet_breakdowns"), heading, t("units_percent"), columns, rows, [_rate_note(data, t)]
    )


def _heatmap_sheet(data: ReportData, schema: Schema, t: Texts) -> Sheet:
    """The heat map's cells, a hidden one as its symbol: a grid has no flag column."""
    bands = [(f"band_{i}", label) for i, label in enumerate(hour_bands(t, "hour_band"))]
    rows = [
        {
            "weekday": day,
            **{
                key: SUPPRESSED if v is None else v
                for (key, _), v in zip(bands, cells, strict=True)
            },
        }
        for day, cells in zip(weekday_names(schema, t.lang), data.heatmap, strict=True)
    ]
    return Sheet(
        t("sheet_heatmap"),
        t("heatmap_title", year=data.year),
        t("units_counts"),
        [("weekday", schema.codelists["weekday"].labels[t.lang]), *bands],
        rows,
        [t("heatmap_note", n=data.rules.threshold), unknown_time_note(data, t)],
    )


def _all_breaks(data: ReportData, lang: str) -> list[str]:
    """Every series break known, with its year: the workbook lists them all."""
    return [f"{y}: {b[lang]}" for y, b in sorted(data.breaks.items())]


def sheets(data: ReportData, schema: Schema, t: Texts) -> list[Sheet]:
    """The workbook's sheets of numbers, in order."""
    national = Sheet(
        t("sheet_national"),
        f"{t('national')} {data.year}",
        t("units_counts"),
        _columns(t, NATIONAL_COLUMNS),
        [data.national],
        [_rate_note(data, t)],
    )
    trend = Sheet(
        t("sheet_trend"),
        t("trend_chart_title"),
        t("units_counts"),
        _columns(t, NATIONAL_COLUMNS),
        data.trend,
        _all_breaks(data, t.lang),
    )
    return [
        national,
        _regions_sheet(data, schema, t),
        _breakdowns_sheet(data, schema, t),
        _heatmap_sheet(data, schema, t),
        trend,
    ]


def metadata(data: ReportData, t: Texts, release: str, revision: str) -> list[tuple[str, str]]:
    """The workbook's metadata: the release and its revisions (when made for one), the
    source, coverage, disclosure rules, series breaks and the pipeline's version."""
    coverage = t("m_coverage_value", n=data.national["regions_reporting"], total=data.regions_total)
    return [
        *([(t("m_release"), release)] if release else []),
        *([(t("m_revisions"), revision)] if revision else []),
        (t("m_source"), t("publisher")),
        (t("m_coverage"), coverage),
        (t("m_suppression"), _rate_note(data, t)),
        (t("m_breaks"), " ".join(_all_breaks(data, t.lang))),
        (t("m_version"), data.version),
    ]


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
    """The whole report in one language: its sections, charts and sheets."""
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
        charts=chart_views(data, schema, t),
        release=release,
        revision=revision,
        sheets=sheets(data, schema, t),
        metadata_sheet=t("sheet_metadata"),
        metadata=metadata(data, t, release, revision),
    )
