"""The annotated copy: a region's own file with the cells the verdict speaks of marked.

A contact fixes a file fastest where they made it, in the spreadsheet: each
located issue colours its cell and leaves its message as the cell's comment,
and a first sheet lists every issue with a link to its cell. A workbook comes
back as itself, formatting and drop-down lists kept; a CSV comes back as a
workbook of its records as text, on the rows the verdict names (the reader's
records, so a quoted line break does not shift them). The copy travels back
to the region, so personal data in it is masked as in every message: in its
cells and formulas, comments, links, tables' headers, sheet names, page headers
and footers, and the document's properties.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from pipelines.contract.issues import Issue
from pipelines.contract.privacy import mask_personal_data
from pipelines.contract.schema import Schema
from pipelines.contract.template import workbook_bytes
from pipelines.ingest.reader import CONTROL_RE, FIELDS, ROW, Records, Unreadable, read_records
from pipelines.settings import DEFAULT_LIMITS, Limits
from pipelines.validate.verdict import Verdict

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# Excel's own "Bad" and "Neutral" cell colours: black text on them reads at above 12:1.
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
ISSUE_COLUMNS = (
    ("issue_severity", 12),
    ("issue_row", 8),
    ("column_heading", 26),
    ("value", 26),
    ("issue_message", 90),
)
MAX_WIDTH = 40
# The widest sheet Excel opens (column XFD).
EXCEL_COLUMNS = 16_384
# Excel's longest sheet name; `*` is one of the characters a sheet name may not hold.
MAX_TITLE = 31
TITLE_MASK = "•"
HEADERS_AND_FOOTERS = (
    "oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter",
)  # fmt: skip


def annotated_workbook(
    data: bytes,
    verdict: Verdict,
    schema: Schema,
    lang: str,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """The submitted file as an XLSX workbook with the verdict's issues marked in it;
    a file that could not be read into records gets the sheet of issues alone.

    Only the columns a submission may have are copied, and the first one past them,
    where a header too wide is marked: a file of 20,000 columns would otherwise be
    more than Excel opens, or than openpyxl writes at all."""
    width = min(limits.max_columns + 1, EXCEL_COLUMNS)
    records = _records(data, schema, limits, width)
    book, sheet = _copy(data, records, verdict, schema, lang, width)
    places = _places(verdict, records, sheet, width) if sheet is not None and records else {}
    if sheet is not None:
        _mark_cells(sheet, verdict.issues, places)
    _issue_sheet(book, verdict, schema, lang, sheet, places)
    for printed in book.worksheets:
        _fit_to_width(printed)
    book.active = 0
    return workbook_bytes(book)


def _fit_to_width(sheet: Worksheet) -> None:
    """Printed as the published workbook is: A4 across, as wide as the page, as many
    pages down as the rows need, the header on each (it printed a column a page)."""
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:1"


def _records(data: bytes, schema: Schema, limits: Limits, width: int) -> Records | None:
    """The records the verdict was given on, their first `width` fields, or None when
    there were none."""
    if len(data) > limits.max_bytes:
        return None
    try:
        records = read_records(data, schema, limits)
    except Unreadable:
        return None
    if not records.frame.height:
        return None
    fields = [c for c in records.frame.columns if c not in (ROW, FIELDS)]
    return replace(records, frame=records.frame.select(ROW, FIELDS, *fields[:width]))


def _copy(
    data: bytes,
    records: Records | None,
    verdict: Verdict,
    schema: Schema,
    lang: str,
    width: int,
) -> tuple[Workbook, Worksheet | None]:
    """The workbook to annotate and its sheet of records: the region's own workbook, or
    a new one holding the records as text. The sheet of records keeps its first
    `width` columns; any other sheet as many as Excel opens."""
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    if records is None:
        book.remove(book.active)
        return book, None
    if records.sheet is not None:
        try:
            own = load_workbook(io.BytesIO(data))
        # The sheet was read in read-only mode; a full load parses styles and drawings
        # too, and a workbook damaged only there still gets its rows back, as text.
        except Exception:
            own = None
        if own is not None:
            chosen = own[records.sheet]
            for sheet in own.worksheets:
                _trim(sheet, width if sheet is chosen else EXCEL_COLUMNS)
                sheet.sheet_view.tabSelected = False
            _mask_workbook(own)
            return own, chosen
    sheet = book.active
    if records.sheet is not None:
        sheet.title = _title(records.sheet)
    elif verdict.kind:
        sheet.title = schema.contracts[verdict.kind].labels[lang]
    else:
        sheet.title = schema.text("file_sheet", lang)
    _write_records(sheet, records.frame)
    return book, sheet


def _text(value: str) -> str:
    """A value safe to show again: personal data masked, characters XML refuses dropped."""
    # XML cannot hold control characters; a CSV may carry them past the part the reader checks.
    return CONTROL_RE.sub("", mask_personal_data(value))


def _title(title: str) -> str:
    """A sheet name masked as Excel takes it: `•` for the `*` it refuses, 31 characters."""
    return mask_personal_data(title, TITLE_MASK)[:MAX_TITLE]


def _reference(text: str) -> str:
    """A reference that may name a sheet (`'Matti 040 1234567'!A1`), masked as the sheet's
    name is, so that it still leads there."""
    return mask_personal_data(text, TITLE_MASK)


def _set_text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    """Write text that stays text: a value starting with `=` is not made a formula."""
    cell = sheet.cell(row, column)
    cell.value = value
    cell.data_type = "s"


def _trim(sheet: Worksheet, width: int) -> None:
    """The sheet without the cells past its first `width` columns."""
    if sheet.max_column > width:
        sheet.delete_cols(width + 1, sheet.max_column - width)


def _write_records(sheet: Worksheet, frame: pl.DataFrame) -> None:
    """A CSV's records as text, each on the row the reader gave it, as far as the
    frame's fields go."""
    widths: dict[int, int] = {}
    kept = len(frame.columns) - 2
    for record in frame.iter_rows(named=True):
        row = record[ROW]
        for column in range(1, min(record[FIELDS], kept) + 1):
            value = record.get(f"f{column - 1}")
            if value is None:
                continue
            _set_text(sheet, row, column, _text(value))
            sheet.cell(row, column).number_format = "@"
            widths[column] = max(widths.get(column, 10), min(len(value) + 2, MAX_WIDTH))
    _set_widths(sheet, widths.items())
    sheet.freeze_panes = sheet.cell(frame.item(0, ROW) + 1, 1)


def _mask_workbook(book: Workbook) -> None:
    """Mask every place a workbook keeps the region's words, beyond what a cell shows:
    the document's properties, its custom ones, each sheet's name and contents, and
    the defined names (which name sheets). A pivot table is dropped, since its cache
    copies the cells as they were."""
    for name, value in vars(book.properties).items():
        if isinstance(value, str):
            setattr(book.properties, name, mask_personal_data(value))
    for prop in book.custom_doc_props.props:
        prop.name = mask_personal_data(prop.name)
        if isinstance(prop.value, str):
            prop.value = mask_personal_data(prop.value)
    for sheet in [*book.worksheets, *book.chartsheets]:
        masked = _title(sheet.title)
        if masked != sheet.title:
            sheet.title = masked
    for sheet in book.worksheets:
        sheet._pivots = []
        _mask_sheet(sheet)
    for names in (book.defined_names, *(sheet.defined_names for sheet in book.worksheets)):
        for defined in names.values():
            if defined.value:
                defined.value = _reference(defined.value)


def _mask_sheet(sheet: Worksheet) -> None:
    """A sheet's texts masked: values, formulas, comments, links, tables' column names,
    validations' messages, page headers and footers. A formula that held personal data
    comes back as its masked text, since masking may leave it no formula Excel reads."""
    from openpyxl.worksheet.formula import ArrayFormula

    for cells in sheet.iter_rows():
        for cell in cells:
            value = cell.value
            formula = value.text if isinstance(value, ArrayFormula) else value
            if isinstance(formula, str) and cell.data_type in ("s", "f"):
                masked = _text(formula)
                if masked != formula:
                    _set_text(sheet, cell.row, cell.column, masked)
            if cell.comment is not None:
                cell.comment.text = _text(cell.comment.text)
                if cell.comment.author:
                    cell.comment.author = _text(cell.comment.author)
            if cell.hyperlink is not None:
                link = cell.hyperlink
                for part in ("target", "tooltip", "display"):
                    if getattr(link, part):
                        setattr(link, part, _text(getattr(link, part)))
                if link.location:
                    link.location = _reference(link.location)
    for table in sheet.tables.values():
        for column in table.tableColumns:
            column.name = _text(column.name)
    for validation in sheet.data_validations.dataValidation:
        for part in ("prompt", "promptTitle", "error", "errorTitle"):
            if getattr(validation, part):
                setattr(validation, part, _text(getattr(validation, part)))
    for name in HEADERS_AND_FOOTERS:
        item = getattr(sheet.HeaderFooter, name)
        for part in (item.left, item.center, item.right):
            if part.text:
                part.text = _text(part.text)


def _places(verdict: Verdict, records: Records, sheet: Worksheet, width: int) -> dict[Issue, str]:
    """The cell of each issue with a row: its column found by the header the file used,
    the row's first cell for an issue of the whole row or of a column the file lacks,
    and for a header too wide the first column past the limit (the last one copied)."""
    header = records.frame.row(0)[2:]
    positions: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        if name is not None:
            # The verdict names a header masked, as the copy shows it.
            positions.setdefault(mask_personal_data(name).lower(), index)
    places = {}
    for issue in verdict.issues:
        if issue.row is None:
            continue
        if issue.rule == "too_many_columns":
            column = width
        else:
            written = verdict.headers.get(issue.column or "", issue.column or "")
            column = positions.get(written.lower(), 1)
        places[issue] = sheet.cell(issue.row, column).coordinate
    return places


def _mark_cells(sheet: Worksheet, issues: list[Issue], places: dict[Issue, str]) -> None:
    """A fill by the worst severity of the cell and every message of the cell as its comment."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue in places:
            by_cell[places[issue]].append(issue)
    for coordinate, found in by_cell.items():
        cell = sheet[coordinate]
        worst = "warning" if all(i.severity == "warning" for i in found) else "error"
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n\n".join(i.message for i in found)
        comment = Comment(text, "evstats")
        comment.width = 320
        comment.height = 20 + 16 * sum(len(i.message) // 45 + 2 for i in found)
        cell.comment = comment


def _issue_sheet(
    book: Workbook,
    verdict: Verdict,
    schema: Schema,
    lang: str,
    sheet: Worksheet | None,
    places: dict[Issue, str],
) -> None:
    """Every issue in the verdict's order, each located one linked to its cell."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import quote_sheetname
    from openpyxl.worksheet.hyperlink import Hyperlink

    issues = book.create_sheet(schema.text("issues_sheet", lang), 0)
    issues.sheet_view.tabSelected = True
    for column, (key, _) in enumerate(ISSUE_COLUMNS, start=1):
        _set_text(issues, 1, column, schema.text(key, lang))
        issues.cell(1, column).font = Font(bold=True)
    for row, issue in enumerate(verdict.issues, start=2):
        _set_text(issues, row, 1, schema.text(issue.severity, lang))
        if issue.row is not None:
            issues.cell(row, 2).value = issue.row
        # Masked again: a receipt stored before a pattern was added keeps its texts.
        if issue.column:
            _set_text(issues, row, 3, _text(verdict.headers.get(issue.column, issue.column)))
        if issue.value is not None:
            _set_text(issues, row, 4, _text(issue.value))
        _set_text(issues, row, 5, _text(issue.message))
        issues.cell(row, 5).alignment = Alignment(wrap_text=True, vertical="top")
        if sheet is not None and issue in places:
            link = issues.cell(row, 2)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=f"{quote_sheetname(sheet.title)}!{places[issue]}"
            )
            link.style = "Hyperlink"
    _set_widths(issues, ((i, w) for i, (_, w) in enumerate(ISSUE_COLUMNS, start=1)))
    issues.freeze_panes = "A2"


def _set_widths(sheet: Worksheet, widths: Iterable[tuple[int, int]]) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in widths:
        sheet.column_dimensions[get_column_letter(column)].width = width
