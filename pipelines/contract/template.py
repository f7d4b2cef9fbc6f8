"""Templates for regions: the contract's columns under the headers of their
language, and the allowed values, generated from the schema.

The CSV is what Finnish Excel opens as columns on a double click (UTF-8 with a
byte-order mark, semicolons); the workbook adds a sheet of allowed values and
drop-down lists on the coded columns. The lists offer the values in the
template's language (`CodeList.choice_label`: labels, regions as code and
name), which the reader accepts back, and Excel refuses a typed value that is
not in the list, with an alert in that language.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.contract.schema import Contract, Schema

if TYPE_CHECKING:
    from openpyxl import Workbook

FIXED_TIME = datetime(2024, 1, 1)  # keeps the workbook's bytes the same run to run
MAX_TEMPLATE_ROWS = 2000


def template_csv(contract: Contract, lang: str) -> bytes:
    delimiter = "," if lang == "en" else ";"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        [contract.header(c, lang) for c in contract.columns]
    )
    return ("\ufeff" if lang != "en" else "").encode() + buffer.getvalue().encode("utf-8")


def write_templates(schema: Schema, lang: str, out_dir: Path) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    workbook = Workbook()
    workbook.remove(workbook.active)
    values_sheet_name = schema.text("allowed_values", lang)
    values = workbook.create_sheet(values_sheet_name)
    values.append(
        [schema.text(k, lang) for k in ("column_heading", "type_or_code", "value", "meaning")]
    )
    for contract in schema.contracts.values():
        path = out_dir / f"{contract.kind}_template_{lang}.csv"
        path.write_bytes(template_csv(contract, lang))
        written.append(path)
        sheet = workbook.create_sheet(contract.labels[lang], index=len(workbook.sheetnames) - 1)
        sheet.append([contract.header(c, lang) for c in contract.columns])
        sheet.freeze_panes = "A2"
        for i, c in enumerate(contract.columns, start=1):
            header = contract.header(c, lang)
            letter = get_column_letter(i)
            sheet.cell(1, i).font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(14, len(header) + 2)
            if not c.codelist:
                values.append(
                    [header, schema.text(f"type_{c.type}", lang), "", c.description[lang]]
                )
                if c.type in ("date", "time", "text"):
                    for row in range(2, MAX_TEMPLATE_ROWS + 1):
                        sheet.cell(row, i).number_format = "@"
                continue
            codelist = schema.codelists[c.codelist]
            first = values.max_row + 1
            for code in codelist.codes:
                values.append(
                    [header, code, codelist.choice_label(code, lang), codelist.label(code, lang)]
                )
            rule = DataValidation(
                type="list",
                formula1=f"'{values_sheet_name}'!$C${first}:$C${values.max_row}",
                allow_blank=not c.required,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=schema.text("dropdown_error_title", lang),
                error=schema.text("dropdown_error", lang, sheet=values_sheet_name),
            )
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}")
    for column in "ABCD":
        values.column_dimensions[column].width = 28
    values.cell(1, 1).font = Font(bold=True)
    path = out_dir / f"template_{lang}.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    written.append(path)
    return written


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook's bytes, the same for the same content. `Workbook.save` dates the
    workbook now and `zipfile` dates each member at its writing, so the workbook is
    saved through openpyxl's writer directly and its zip packed again with every
    member dated as the workbook is."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = FIXED_TIME
    written = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    stamp = FIXED_TIME.timetuple()[:6]
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info))
    return out.getvalue()
