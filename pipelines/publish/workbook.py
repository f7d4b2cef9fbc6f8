"""`tables.xlsx`: every published table on its own sheet, with a title, units,
footnotes and flags, plus a metadata sheet. Numbers are stored as numbers; a
suppressed cell is empty and its row's flag says why."""

from __future__ import annotations

from pathlib import Path

from pipelines.contract.schema import Schema
from pipelines.publish.report_data import ReportData
from pipelines.publish.tables import Row
from pipelines.publish.view import Texts

FIXED_FORMATS = {
    "incidents_per_1000_missions": "0.0000",
    "missions_per_incident": "0.0",
    "percent": "0.0",
}


def _sheet(
    book,
    title: str,
    heading: str,
    units: str,
    columns: list[tuple[str, str]],
    rows: list[Row],
    notes: list[str],
) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title[:31])
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([units])
    sheet.append([])
    sheet.append([label for _, label in columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append([r.get(key) for key, _ in columns])
        for cell, (key, _) in zip(sheet[sheet.max_row], columns, strict=True):
            if key in FIXED_FORMATS:
                cell.number_format = FIXED_FORMATS[key]
    sheet.append([])
    for note in notes:
        sheet.append([note])
    sheet.freeze_panes = "A5"
    for i, (_, label) in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + i)].width = max(12, min(40, len(label) + 4))


def write_workbook(data: ReportData, schema: Schema, lang: str, path: Path) -> Path:
    from openpyxl import Workbook

    t = Texts(lang)
    book = Workbook()
    book.remove(book.active)
    note = t(
        "methods_suppression",
        threshold=data.rules.threshold,
        unreliable=data.rules.unreliable_below,
    )
    breaks = [f"{y}: {b[lang]}" for y, b in sorted(data.breaks.items())]
    flag_labels = t.flags()
    nat_cols = [
        ("year", t("year")),
        ("incidents", t("t_incidents")),
        ("missions", t("t_missions")),
        ("incidents_per_1000_missions", t("t_rate")),
        ("missions_per_incident", t("t_mpi")),
        ("regions_reporting", t("kf_regions")),
    ]
    _sheet(
        book,
        t("sheet_national"),
        f"{t('national')} {data.year}",
        t("units_counts"),
        nat_cols,
        [data.national],
        [note],
    )
    regions = [
        {
            **r,
            "region_name": schema.codelists["regions"].label(r["region_code"], lang),
            "flag": flag_labels.get(r["flag"], ""),
        }
        for r in data.regions
    ]
    _sheet(
        book,
        t("sheet_regions"),
        t("regions_chart_title", year=data.year),
        t("units_counts"),
        [
            ("region_code", "code"),
            ("region_name", t("t_region")),
            ("incidents", t("t_incidents")),
            ("missions", t("t_missions")),
            ("incidents_per_1000_missions", t("t_rate")),
            ("missions_per_incident", t("t_mpi")),
            ("flag", t("t_flag")),
        ],
        regions,
        [note],
    )
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
    breakdowns = [
        {
            **r,
            "dimension_label": dims[r["dimension"]][1],
            "category_label": schema.codelists[dims[r["dimension"]][0]].label(r["category"], lang),
            "flag": flag_labels.get(r["flag"], ""),
        }
        for r in data.breakdowns
    ]
    _sheet(
        book,
        t("sheet_breakdowns"),
        f"{t('what_heading')} {data.year}",
        t("units_percent"),
        [
            ("dimension_label", t("dimension")),
            ("category_label", t("category")),
            ("incidents", t("t_incidents")),
            ("percent", t("percent")),
            ("flag", t("t_flag")),
        ],
        breakdowns,
        [note],
    )
    _sheet(
        book,
        t("sheet_trend"),
        t("trend_chart_title"),
        t("units_counts"),
        nat_cols,
        data.trend,
        breaks,
    )
    meta = book.create_sheet(t("sheet_metadata"))
    for key, value in [
        (t("m_source"), t("publisher")),
        (
            t("m_coverage"),
            t("m_coverage_value", n=data.national["regions_reporting"], total=data.regions_total),
        ),
        (t("m_suppression"), note),
        (t("m_breaks"), " ".join(breaks)),
        (t("m_run_time"), data.run_time.isoformat(timespec="seconds")),
        (t("m_version"), data.version),
    ]:
        meta.append([key, value])
    meta.column_dimensions["A"].width = 22
    meta.column_dimensions["B"].width = 100
    book.properties.created = book.properties.modified = data.run_time
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
