"""Workbooks as regions send them: the template filled in openpyxl, and zips changed by hand."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl

from pipelines.contract.schema import Schema
from pipelines.contract.template import write_templates


def filled_template(
    schema: Schema, lang: str, rows: dict[str, Sequence[Sequence[object] | None]]
) -> bytes:
    """The workbook template of `lang` with `rows[kind]` written from row 2 of that
    kind's sheet (None leaves a row empty)."""
    with tempfile.TemporaryDirectory() as folder:
        [path] = [p for p in write_templates(schema, lang, Path(folder)) if p.suffix == ".xlsx"]
        book = openpyxl.load_workbook(path)
    for kind, values in rows.items():
        sheet = book[schema.contracts[kind].labels[lang]]
        for row, cells in enumerate(values, start=2):
            for column, value in enumerate(cells or (), start=1):
                sheet.cell(row, column).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def changed_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The zip with one member rewritten, as a tool other than openpyxl might write it
    (openpyxl writes no cached value for a formula, Excel does)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, change(content) if info.filename == name else content)
    return out.getvalue()


def sheet_member(data: bytes, title: str) -> str:
    """The zip member holding the sheet called `title`."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    index = book.sheetnames.index(title)
    book.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def printed_pages(path: Path, folder: Path) -> int:
    """How many pages LibreOffice prints of the workbook at `path` (its PDF export, with
    a profile of its own in `folder`). LibreOffice is installed by the Makefile."""
    import shutil
    import subprocess

    from pypdf import PdfReader

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required: make test installs it"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return len(PdfReader(folder / f"{path.stem}.pdf").pages)
