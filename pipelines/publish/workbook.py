"""`tables.xlsx`: every published table on its own sheet, with a title, units,
footnotes and flags, plus a metadata sheet. Numbers are stored as numbers; a
suppressed cell is empty and its row's flag says why."""

from __future__ import annotations

import math
from pathlib import Path

from pipelines.contract.schema import Schema
from pipelines.contract.template import workbook_bytes
from pipelines.files import replace_atomically
from pipelines.publish.numbers import SUPPRESSED
from pipelines.publish.report_data import ReportData
from pipelines.publish.tables import DECIMALS, Row
from pipelines.publish.view import (
    Texts,
    hour_bands,
    rate_note,
    release_texts,
    unknown_time_note,
    weekday_names,
)

FIXED_FORMATS = {column: "0." + "0" * places for column, places in DECIMALS.items()}


MIN_WIDTH, MAX_WIDTH = 8, 48
LINE_HEIGHT = 15  # points per line of 11-point text


def _shown_length(key: str, value: object) -> int:
    """How many characters a cell shows, as formatted."""
    if value is None:
        return 0
    if key in FIXED_FORMATS and isinstance(value, int | float):
        return len(f"{value:,.{DECIMALS[key]}f}")
    return len(f"{value:,}" if isinstance(value, int) else str(value))


def _widths(columns: list[tuple[str, str]], rows: list[Row]) -> list[int]:
    """Each column as wide as its longest value (headers wrap instead), within bounds."""
    widths = []
    for key, label in columns:
        longest = max([_shown_length(key, r.get(key)) for r in rows] or [0])
        word = max(len(w) for w in label.split())  # a header wraps between words only
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, max(longest, word) + 2)))
    return widths


def _lines(text: str, width: int, size: float = 11) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide."""
    return max(1, math.ceil(len(text) * size / 11 / max(1, width - 2)))


def _text_rows(sheet, row: int, text: str, width: int, last: str, **font: object) -> None:
    """A title or note across the table's width, wrapped, with room for its lines: a long
    text in one cell would be cut at the print area's edge."""
    from openpyxl.styles import Alignment, Font

    cell = sheet.cell(row, 1, text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if font:
        cell.font = Font(**font)
    sheet.merge_cells(f"A{row}:{last}{row}")
    size = float(font.get("size", 11))  # type: ignore[arg-type]
    sheet.row_dimensions[row].height = _lines(text, width, size) * LINE_HEIGHT * size / 11


def _print_setup(sheet, last_column: str, header_row: int | None) -> None:
    """A4, fitted to the page width, the header repeated on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.print_area = f"A1:{last_column}{sheet.max_row}"
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need


def _sheet(
    book,
    title: str,
    heading: str,
    units: str,
    columns: list[tuple[str, str]],
    rows: list[Row],
    notes: list[str],
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title[:31])
    widths = _widths(columns, rows)
    last = get_column_letter(len(columns))
    total = sum(widths)
    _text_rows(sheet, 1, heading, total, last, bold=True, size=13)
    _text_rows(sheet, 2, units, total, last)
    header = 4
    for i, (_, label) in enumerate(columns, start=1):
        cell = sheet.cell(header, i, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    header_lines = max(_lines(label, w) for (_, label), w in zip(columns, widths, strict=True))
    sheet.row_dimensions[header].height = header_lines * LINE_HEIGHT
    for r in rows:
        sheet.append([r.get(key) for key, _ in columns])
        for cell, (key, _) in zip(sheet[sheet.max_row], columns, strict=True):
            if key in FIXED_FORMATS:
                cell.number_format = FIXED_FORMATS[key]
    row = sheet.max_row + 2
    for note in notes:
        _text_rows(sheet, row, note, total, last, size=10)
        row += 1
    sheet.freeze_panes = f"A{header + 1}"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    _print_setup(sheet, last, header)


def write_workbook(data: ReportData, schema: Schema, lang: str, path: Path) -> Path:
    from openpyxl import Workbook

    t = Texts(lang)
    book = Workbook()
    book.remove(book.active)
    note = rate_note(data, t)
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
            ("region_code", t("t_code")),
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
    weekdays = schema.codelists["weekday"]
    bands = [(f"band_{i}", label) for i, label in enumerate(hour_bands(t, "hour_band"))]
    _sheet(
        book,
        t("sheet_heatmap"),
        t("heatmap_title", year=data.year),
        t("units_counts"),
        [("weekday", weekdays.labels[lang]), *bands],
        [
            {
                "weekday": day,
                **{
                    key: SUPPRESSED if v is None else v
                    for (key, _), v in zip(bands, cells, strict=True)
                },
            }
            for day, cells in zip(weekday_names(schema, lang), data.heatmap, strict=True)
        ],
        [t("heatmap_note", n=data.rules.threshold), unknown_time_note(data, t)],
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
    release, revision = release_texts(data, t)
    for key, value in [
        *([(t("m_release"), release)] if release else []),
        *([(t("m_revisions"), revision)] if revision else []),
        (t("m_source"), t("publisher")),
        (
            t("m_coverage"),
            t("m_coverage_value", n=data.national["regions_reporting"], total=data.regions_total),
        ),
        (t("m_suppression"), note),
        (t("m_breaks"), " ".join(breaks)),
        (t("m_version"), data.version),
    ]:
        meta.append([key, value])
    from openpyxl.styles import Alignment

    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 80
    for key_cell, value_cell in meta.iter_rows():
        key_cell.alignment = value_cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = _lines(str(value_cell.value or ""), int(meta.column_dimensions["B"].width))
        meta.row_dimensions[key_cell.row].height = lines * LINE_HEIGHT
    _print_setup(meta, "B", None)
    return replace_atomically(path, lambda tmp: tmp.write_bytes(workbook_bytes(book)))
