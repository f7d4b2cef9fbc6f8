"""The annotated copy a region gets back: its own file with the issues at their cells."""

import io
import time

import openpyxl
import pytest

from pipelines.contract.issues import Issue
from pipelines.validate.annotate import FILLS, annotated_workbook
from pipelines.validate.verdict import SubmissionFile, Verdict, validate_files
from tests.conftest import GOOD_ROW, INCIDENT_HEADER, TODAY
from tests.workbooks import filled_template

# Row 2: a code not allowed; row 3: an identity code in a description spanning two lines;
# row 4: a formula-like text; row 5: too few fields.
BAD_CSV = (
    f"{INCIDENT_HEADER}\n"
    f"{GOOD_ROW.replace(',A,', ',E,')}\n"
    f'{GOOD_ROW.replace("X1", "X2")}"soitti 131052-308T\nkotoa"\n'
    f"{GOOD_ROW.replace('X1', 'X3')}=1+1\n"
    "X4,05\n"
).encode()


def verdict_of(schema, name, data, lang="fi"):
    files = [SubmissionFile(name, data, "05", 2023)]
    [verdict] = validate_files(files, schema, lang=lang, today=TODAY, evaluator="polars")
    return verdict


def opened(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def every_text(book: openpyxl.Workbook) -> str:
    """All the copy shows: cell values and comments of every sheet."""
    parts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                parts.append(str(cell.value))
                if cell.comment:
                    parts.append(cell.comment.text)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def bad_csv(schema):
    verdict = verdict_of(schema, "bad.csv", BAD_CSV)
    return verdict, opened(annotated_workbook(BAD_CSV, verdict, schema, "fi"))


def test_a_csv_comes_back_as_its_records_with_the_offending_cells_marked(bad_csv):
    verdict, book = bad_csv
    assert book.sheetnames == ["Havainnot", "Tapahtumat"]
    data = book["Tapahtumat"]
    assert [c.value for c in data[1]] == INCIDENT_HEADER.split(",")
    assert [data.cell(r, 1).value for r in range(2, 6)] == ["X1", "X2", "X3", "X4"]
    code = next(i for i in verdict.issues if i.rule == "code")
    assert (code.row, code.column) == (2, "urgency")
    cell = data["E2"]
    assert cell.value == "E"
    assert cell.fill.fgColor.rgb == "00" + FILLS["error"]
    assert code.message in cell.comment.text
    assert data["A3"].fill.fgColor.rgb != "00" + FILLS["error"]


def test_an_issue_of_a_whole_row_marks_its_first_cell(bad_csv):
    verdict, book = bad_csv
    [ragged] = [i for i in verdict.issues if i.rule == "ragged_row"]
    assert ragged.row == 5
    assert ragged.message in book["Tapahtumat"]["A5"].comment.text


def test_personal_data_is_masked_in_the_copy(bad_csv):
    verdict, book = bad_csv
    assert "personal_data" in {i.rule for i in verdict.issues}
    assert book["Tapahtumat"]["P3"].value == "soitti 131052-****\nkotoa"
    assert "308T" not in every_text(book)


def test_text_that_looks_like_a_formula_stays_text(bad_csv):
    _, book = bad_csv
    cell = book["Tapahtumat"]["P4"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_the_issue_sheet_lists_every_issue_in_the_verdicts_language(bad_csv):
    verdict, book = bad_csv
    rows = list(book["Havainnot"].iter_rows(values_only=True))
    assert rows[0] == ("Vakavuus", "Rivi", "Sarake", "Arvo", "Viesti")
    assert [r[4] for r in rows[1:]] == [i.message for i in verdict.issues]
    assert {r[0] for r in rows[1:]} == {"VIRHE"}
    assert ("VIRHE", 2, "urgency", "E") in {r[:4] for r in rows}
    assert book["Havainnot"].freeze_panes == "A2"


def test_each_located_issue_links_to_its_cell(bad_csv):
    verdict, book = bad_csv
    sheet = book["Havainnot"]
    row = next(r for r, i in enumerate(verdict.issues, start=2) if i.rule == "code")
    assert sheet.cell(row, 2).hyperlink.location == "'Tapahtumat'!E2"


def test_the_filled_template_comes_back_as_itself_with_the_marks(schema):
    good = GOOD_ROW.split(",")
    bad = [v if i != 4 else "E" for i, v in enumerate(good)]
    bad[0] = "X2"
    data = filled_template(schema, "fi", {"incidents": [good, bad]})
    verdict = verdict_of(schema, "t.xlsx", data)
    book = opened(annotated_workbook(data, verdict, schema, "fi"))
    assert book.sheetnames == ["Havainnot", "Tapahtumat", "Ensihoitotehtävät", "Sallitut arvot"]
    original = opened(data)
    for title in original.sheetnames:
        before = list(original[title].iter_rows(values_only=True))
        assert list(book[title].iter_rows(values_only=True)) == before, title
    sheet = book["Tapahtumat"]
    assert sheet["E3"].fill.fgColor.rgb == "00" + FILLS["error"]
    assert "sarakkeessa kiireellisyysluokka" in sheet["E3"].comment.text
    assert sheet["E2"].comment is None
    assert len(sheet.data_validations.dataValidation) == len(
        original["Tapahtumat"].data_validations.dataValidation
    )


def test_a_warning_of_a_cell_is_marked_as_a_warning(schema):
    csv = f"{INCIDENT_HEADER}\n{GOOD_ROW}\n".encode()
    warning = Issue("warning", 2, "staff_count", "2", "x", "Tarkista henkilöstön määrä.")
    verdict = Verdict("f.csv", "incidents", "05", 2023, [warning])
    verdict.headers = {"staff_count": "staff_count"}
    book = opened(annotated_workbook(csv, verdict, schema, "fi"))
    assert book["Tapahtumat"]["O2"].fill.fgColor.rgb == "00" + FILLS["warning"]


def test_a_file_that_could_not_be_read_gets_the_issue_sheet_alone(schema):
    data = b"\x00\x01PK\x03\x04"
    verdict = verdict_of(schema, "image.png", data, lang="sv")
    book = opened(annotated_workbook(data, verdict, schema, "sv"))
    assert book.sheetnames == ["Fynd"]
    rows = list(book["Fynd"].iter_rows(values_only=True))
    assert rows[0][0] == "Allvarlighet"
    assert rows[1][0] == "KRITISK" and rows[1][4] == verdict.issues[0].message


def test_the_same_verdict_gives_the_same_bytes_at_another_time(schema, monkeypatch):
    verdict = verdict_of(schema, "bad.csv", BAD_CSV)
    first = annotated_workbook(BAD_CSV, verdict, schema, "fi")
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert annotated_workbook(BAD_CSV, verdict, schema, "fi") == first


def test_a_workbook_that_only_reads_in_read_only_mode_comes_back_as_its_rows(schema, monkeypatch):
    good = GOOD_ROW.split(",")
    data = filled_template(schema, "en", {"incidents": [good, [*good[:4], "E", *good[5:]]]})
    verdict = verdict_of(schema, "t.xlsx", data, lang="en")
    real = openpyxl.load_workbook

    def read_only_only(source, read_only=False, **kwargs):
        if not read_only:
            raise ValueError("styles this openpyxl cannot load")
        return real(source, read_only=read_only, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", read_only_only)
    book = real(io.BytesIO(annotated_workbook(data, verdict, schema, "en")))
    assert book.sheetnames == ["Issues", "Incidents"]
    sheet = book["Incidents"]
    assert (sheet["A3"].value, sheet["E3"].value) == ("X1", "E")
    assert "column urgency" in sheet["E3"].comment.text
