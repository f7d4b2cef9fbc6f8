"""`tables.xlsx`: the view's sheets (`View.sheets`), each published table on its own
sheet with a title, units, footnotes and flags, plus its metadata sheet, laid out to
read on screen and print on A4. Numbers are stored as numbers; a suppressed cell is
empty and its row's flag says why. What the sheets hold is the view's; the layout is
this module's."""

from __future__ import annotations

import math
from pathlib import Path

from pipelines.contract.template import workbook_bytes
from pipelines.files import replace_atomically
from pipelines.publish.tables import DECIMALS, Row
from pipelines.publish.view import Sheet, View

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


def _sheet(book, sheet: Sheet) -> None:
    """One table: title and units above, the header (repeated on every printed page),
    the rows, then the notes."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    out = book.create_sheet(sheet.name[:31])
    columns = sheet.columns
    widths = _widths(columns, sheet.rows)
    last = get_column_letter(len(columns))
    total = sum(widths)
    _text_rows(out, 1, sheet.heading, total, last, bold=True, size=13)
    _text_rows(out, 2, sheet.units, total, last)
    header = 4
    for i, (_, label) in enumerate(columns, start=1):
        cell = out.cell(header, i, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    header_lines = max(_lines(label, w) for (_, label), w in zip(columns, widths, strict=True))
    out.row_dimensions[header].height = header_lines * LINE_HEIGHT
    for r in sheet.rows:
        out.append([r.get(key) for key, _ in columns])
        for cell, (key, _) in zip(out[out.max_row], columns, strict=True):
            if key in FIXED_FORMATS:
                cell.number_format = FIXED_FORMATS[key]
    row = out.max_row + 2
    for note in sheet.notes:
        _text_rows(out, row, note, total, last, size=10)
        row += 1
    out.freeze_panes = f"A{header + 1}"
    for i, width in enumerate(widths, start=1):
        out.column_dimensions[get_column_letter(i)].width = width
    _print_setup(out, last, header)


def _metadata(book, name: str, items: list[tuple[str, str]]) -> None:
    """The metadata sheet: one item a row, its value wrapped in a wide column."""
    from openpyxl.styles import Alignment

    meta = book.create_sheet(name)
    for key, value in items:
        meta.append([key, value])
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 80
    for key_cell, value_cell in meta.iter_rows():
        key_cell.alignment = value_cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = _lines(str(value_cell.value or ""), int(meta.column_dimensions["B"].width))
        meta.row_dimensions[key_cell.row].height = lines * LINE_HEIGHT
    _print_setup(meta, "B", None)


def write_workbook(view: View, path: Path) -> Path:
    """The language's workbook from its view: its sheets of numbers, then metadata."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in view.sheets:
        _sheet(book, sheet)
    _metadata(book, view.metadata_sheet, view.metadata)
    return replace_atomically(path, lambda tmp: tmp.write_bytes(workbook_bytes(book)))
