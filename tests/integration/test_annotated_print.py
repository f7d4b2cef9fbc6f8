"""The annotated copy of a region's file as a contact prints it, in LibreOffice: one
page a sheet, where it printed eight pages of one column each."""

from __future__ import annotations

import io

import openpyxl

from pipelines.validate.annotate import annotated_workbook
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import GOOD_ROW, INCIDENT_HEADER, TODAY
from tests.workbooks import printed_pages

# Five rows of region 05's incidents, each with one error: ten issues in all at most.
ROWS = [GOOD_ROW.replace("X1", f"X{n}").replace(",A,", ",E,") for n in range(1, 6)]
DATA = "\n".join([INCIDENT_HEADER, *ROWS, ""]).encode()


def test_the_annotated_copy_prints_a_page_a_sheet(schema, tmp_path):
    [verdict] = validate_files(
        [SubmissionFile("huono.csv", DATA, "05", 2023)], schema, lang="fi", today=TODAY
    )
    assert len(verdict.issues) == 5
    path = tmp_path / "huono_korostettu.xlsx"
    path.write_bytes(annotated_workbook(DATA, verdict, schema, "fi"))
    assert len(openpyxl.load_workbook(io.BytesIO(path.read_bytes())).worksheets) == 2
    assert printed_pages(path, tmp_path) == 2
