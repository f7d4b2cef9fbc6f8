"""The report's content in one language: headings, sentences, tables, chart names.

`build_view` turns the gathered, already-protected data (`report_data`) into a
`View`; the HTML, PDF and workbook writers all draw from that one view, so
their numbers agree. One function per report section keeps each section's
wording and table next to each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.contract import i18n
from pipelines.contract.schema import Schema
from pipelines.publish.numbers import SUPPRESSED, fmt_number, fmt_signed, percent_sign
from pipelines.publish.report_data import ReportData, load_texts
from pipelines.publish.tables import STATUS_FLAGS

TIME_DIMENSIONS = ("month", "weekday", "hour")


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
    """The report's texts (`reports/texts.yaml`) in one language, with their parameters;
    plural forms are chosen by the same resolver as the contacts' messages."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.all = i18n.load_texts(load_texts())

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
        hidden = SUPPRESSED if r["flag"] == "suppressed" else "."
        rows.append(
            [
                short.label(r["region_code"], lang),
                n(r["incidents"], lang, missing=hidden),
                n(r["missions"], lang),
                n(r["incidents_per_1000_missions"], lang, 2, missing=hidden),
                n(r["missions_per_incident"], lang, missing="."),
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
    return Section(
        "regions",
        t("regions_heading"),
        charts=["regions"],
        tables=[
            Table(
                t("regions_chart_title", year=data.year),
                [*header, t("t_flag")],
                rows,
                [_rate_note(data, t)],
                text_columns=(0, 5),
            )
        ],
    )


def what_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    section = Section("what", t("what_heading"), charts=["what"])
    contract = schema.contracts["incidents"]
    for dimension, codelist, _ in contract.breakdown_dimensions():
        if dimension in TIME_DIMENSIONS:
            continue
        labels = schema.codelists[codelist]
        section.tables.append(
            Table(
                contract.column(dimension).labels[lang],
                [t("category"), t("t_incidents"), t("percent")],
                [
                    [
                        labels.label(r["category"], lang),
                        n(r["incidents"], lang),
                        n(r["percent"], lang, 1),
                    ]
                    for r in data.breakdowns
                    if r["dimension"] == dimension
                ],
            )
        )
    return section


def when_section(data: ReportData, schema: Schema, t: Texts) -> Section:
    lang = t.lang
    months = schema.codelists["month"]
    rows = [
        [months.label(r["category"], lang), n(r["incidents"], lang), n(r["percent"], lang, 1)]
        for r in data.breakdowns
        if r["dimension"] == "month"
    ]
    header = [months.labels[lang], t("t_incidents"), t("percent")]
    return Section(
        "when",
        t("when_heading"),
        charts=["month", "heatmap"],
        tables=[Table(months.labels[lang], header, rows)],
    )


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
        tables=[Table(t("trend_chart_title"), header, rows, _break_notes(data, lang))],
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
                q["received"].isoformat() if q["received"] else ".",
                f"{q['files']} ({q['rejected']})",
                str(q["warnings"]),
                "." if q["months_reported"] is None else str(q["months_reported"]),
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
    return Section(
        "quality",
        t("quality_heading"),
        paragraphs=[t("quality_intro"), *notes],
        tables=[Table(t("quality_heading"), header, rows, text_columns=(0, 1))],
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


def build_view(data: ReportData, schema: Schema, lang: str) -> View:
    """The whole report in one language, section by section."""
    t = Texts(lang)
    figures, summary = _key_figures(data, t, lang)
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
        texts={k: v[lang] for k, v in load_texts().items()},
    )
