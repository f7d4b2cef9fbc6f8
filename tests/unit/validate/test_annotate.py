"""The annotated copy a region gets back: its own file with the issues at their cells."""

import io
import time
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.pivot.cache import (
    CacheDefinition,
    CacheField,
    CacheSource,
    SharedItems,
    WorksheetSource,
)
from openpyxl.pivot.fields import Text
from openpyxl.pivot.record import Record, RecordList
from openpyxl.pivot.table import Location, PivotField, RowColField, TableDefinition
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table

from pipelines.contract.issues import Issue
from pipelines.settings import Limits
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
    assert rows[0] == ("Vakavuus", "Rivi", "Sarake", "Arvo", "Ohje")  # the page's word
    assert [r[4] for r in rows[1:]] == [i.message for i in verdict.issues]
    assert {r[0] for r in rows[1:]} == {"VIRHE"}
    assert ("VIRHE", 2, "urgency", "E") in {r[:4] for r in rows}
    assert book["Havainnot"].freeze_panes == "A2"


def test_every_sheet_prints_on_a4_across_fitted_to_the_page_width(bad_csv):
    """It printed eight pages, a column on each; now as the published workbook prints."""
    _, book = bad_csv
    for sheet in book.worksheets:
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"


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


PHONE, HETU, EMAIL = "040 1234567", "131052-308T", "matti@example.fi"


def pivot_of(sheet_title: str, value: str) -> TableDefinition:
    """A pivot table over one column whose cache holds `value`, as Excel keeps one."""
    source = WorksheetSource(ref="A3:A4", sheet=sheet_title)
    cache = CacheDefinition(
        cacheSource=CacheSource(type="worksheet", worksheetSource=source),
        cacheFields=[CacheField(name="yhteys", sharedItems=SharedItems([Text(v=value)], count=1))],
    )
    cache.records = RecordList(r=[Record([])])
    pivot = TableDefinition(
        name="Pivot",
        cacheId=1,
        dataCaption="Arvot",
        location=Location(ref="C3:C4", firstHeaderRow=1, firstDataRow=1, firstDataCol=0),
        pivotFields=[PivotField(axis="axisRow", showAll=False)],
        rowFields=[RowColField(x=0)],
    )
    pivot.cache = cache
    return pivot


@pytest.fixture(scope="module")
def everywhere(schema):
    """A filled template with personal data in every place a workbook keeps text beyond
    its cells, and its annotated copy."""
    good = GOOD_ROW.split(",")
    bad = ["X2", *good[1:4], "E", *good[5:]]
    template = filled_template(schema, "fi", {"incidents": [good, bad]})
    book = opened(template)
    data = book["Tapahtumat"]
    data.title = f"Matti {PHONE}"
    data["P2"] = f'=CONCATENATE("soita ","{PHONE}")'
    data["A2"].comment = Comment(f"hetu {HETU}", EMAIL)
    data.oddHeader.center.text = f"Matti {PHONE}"
    data.oddFooter.right.text = HETU
    prompt = DataValidation(type="textLength", operator="lessThan", formula1="10")
    prompt.prompt, prompt.promptTitle = f"soita {PHONE}", EMAIL
    prompt.add("O2")
    data.add_data_validation(prompt)
    book.defined_names["Tapaukset"] = DefinedName(
        "Tapaukset", attr_text=f"'{data.title}'!$A$2:$A$3"
    )
    notes = book.create_sheet("Muistiinpanot")
    notes["A1"] = "yhteys"
    notes["A1"].hyperlink = f"mailto:{EMAIL}"
    notes["A2"].hyperlink = Hyperlink(ref="A2", location=f"'{data.title}'!A2")
    notes["A3"], notes["A4"] = EMAIL, PHONE
    notes["B1"] = ArrayFormula("B1", f'=LEN("{PHONE}")')
    notes.add_table(Table(displayName="Yhteydet", ref="A3:A4"))
    notes._pivots.append(pivot_of("Muistiinpanot", PHONE))
    chart = BarChart()
    chart.add_data(Reference(notes, min_col=1, min_row=3, max_row=4))
    book.create_chartsheet(f"Kaavio {HETU}").add_chart(chart)
    for name in ("creator", "lastModifiedBy", "title", "subject", "description", "keywords"):
        setattr(book.properties, name, f"Matti {PHONE} {EMAIL}")
    book.properties.category = HETU
    book.custom_doc_props.append(StringProperty(name="yhteys", value=EMAIL))
    buffer = io.BytesIO()
    book.save(buffer)
    submitted = buffer.getvalue()
    verdict = verdict_of(schema, "t.xlsx", submitted)
    return submitted, verdict, annotated_workbook(submitted, verdict, schema, "fi")


def test_the_submitted_workbook_holds_personal_data_in_every_place(everywhere):
    submitted, _, _ = everywhere
    with zipfile.ZipFile(io.BytesIO(submitted)) as z:
        xml = {name: z.read(name).decode() for name in z.namelist()}
    assert any(PHONE in text for name, text in xml.items() if "pivotCache" in name)
    assert all(EMAIL in xml[name] for name in ("docProps/core.xml", "docProps/custom.xml"))


def test_personal_data_is_masked_wherever_the_workbook_keeps_text(everywhere):
    _, verdict, copy = everywhere
    assert verdict.sheet == "Matti 040 ****"
    book = opened(copy)
    assert book.sheetnames[:2] == ["Havainnot", "Matti 040 ••••"]
    assert book.sheetnames[-1] == "Kaavio 131052-••••"
    data = book["Matti 040 ••••"]
    assert (data["P2"].value, data["P2"].data_type) == ('=CONCATENATE("soita ","040 ****")', "s")
    assert (data["A2"].comment.text, data["A2"].comment.author) == (
        "hetu 131052-****",
        "***@example.fi",
    )
    assert data.oddHeader.center.text == "Matti 040 ****"
    assert data.oddFooter.right.text == "131052-****"
    [prompt] = [v for v in data.data_validations.dataValidation if v.prompt]
    assert (prompt.prompt, prompt.promptTitle) == ("soita 040 ****", "***@example.fi")
    notes = book["Muistiinpanot"]
    assert notes["A1"].hyperlink.target == "mailto:***@example.fi"
    assert notes["A2"].hyperlink.location == "'Matti 040 ••••'!A2"
    assert (notes["B1"].value, notes["B1"].data_type) == ('=LEN("040 ****")', "s")
    assert book.defined_names["Tapaukset"].value == "'Matti 040 ••••'!$A$2:$A$3"
    assert [c.name for c in notes.tables["Yhteydet"].tableColumns] == ["***@example.fi"]
    assert notes._pivots == []
    assert book.properties.creator == "Matti 040 **** ***@example.fi"
    assert book.properties.category == "131052-****"
    assert [(p.name, p.value) for p in book.custom_doc_props.props] == [
        ("yhteys", "***@example.fi")
    ]
    [code] = [r for r, i in enumerate(verdict.issues, start=2) if i.rule == "code"]
    assert book["Havainnot"].cell(code, 2).hyperlink.location == "'Matti 040 ••••'!E3"


def test_no_member_of_the_copy_holds_the_personal_data_unmasked(everywhere):
    _, _, copy = everywhere
    with zipfile.ZipFile(io.BytesIO(copy)) as z:
        for name in z.namelist():
            text = z.read(name).decode()
            for raw in (PHONE, "308T", EMAIL):
                assert raw not in text, (name, raw)


def test_a_header_holding_personal_data_is_marked_at_its_own_cell(schema):
    data = f"{INCIDENT_HEADER},{EMAIL}\n{GOOD_ROW},{HETU}\n".encode()
    verdict = verdict_of(schema, "f.csv", data)
    book = opened(annotated_workbook(data, verdict, schema, "fi"))
    sheet = book["Tapahtumat"]
    assert sheet["Q1"].value == "***@example.fi"
    assert "Sarakkeen otsikossa on henkilötieto" in sheet["Q1"].comment.text
    assert sheet["Q2"].value == "131052-****"
    assert "Sarakkeessa ***@example.fi on henkilötieto" in sheet["Q2"].comment.text
    assert sheet["A1"].comment is None
    rows = list(book["Havainnot"].iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in rows} == {"***@example.fi"}


def wide_csv(columns: int) -> bytes:
    """The header and a good row, then `columns` more columns named c0, c1, …"""
    return f"{INCIDENT_HEADER}{''.join(f',c{i}' for i in range(columns))}\n{GOOD_ROW}\n".encode()


def test_a_file_too_wide_comes_back_with_the_columns_a_submission_may_have(schema):
    """20,016 columns: openpyxl refused column 18,279 (a 500 in the portal)."""
    data = wide_csv(20_000)
    verdict = verdict_of(schema, "wide.csv", data)
    [issue] = verdict.issues
    assert issue.rule == "too_many_columns"
    book = opened(annotated_workbook(data, verdict, schema, "fi"))
    sheet = book["Tiedosto"]
    assert sheet.max_column == 61  # max_columns (60) and the first one past it
    assert sheet["BI1"].value == "c44"  # the 61st header: 16 of the contract, then c0…c44
    assert issue.message in sheet["BI1"].comment.text
    assert book["Havainnot"]["B2"].hyperlink.location == "'Tiedosto'!BI1"


def test_the_copy_is_never_wider_than_excel_opens(schema):
    data = wide_csv(17_000)
    verdict = verdict_of(schema, "wide.csv", data)
    copy = annotated_workbook(data, verdict, schema, "fi", Limits(max_columns=20_000))
    assert opened(copy)["Tiedosto"].max_column == 16_384


def test_a_row_longer_than_its_header_is_copied_as_far_as_a_submission_may_go(schema):
    data = f"{INCIDENT_HEADER}\n{GOOD_ROW}{',x' * 5000}\n".encode()
    verdict = verdict_of(schema, "long.csv", data)
    [ragged] = [i for i in verdict.issues if i.rule == "row_too_wide"]
    sheet = opened(annotated_workbook(data, verdict, schema, "fi"))["Tapahtumat"]
    assert sheet.max_column == 61
    assert (sheet["Q2"].value, sheet["BI2"].value) == ("x", "x")
    assert ragged.message in sheet["A2"].comment.text


def test_a_wide_workbook_keeps_its_sheet_of_records_narrow_and_the_others_within_excel(schema):
    book = opened(filled_template(schema, "fi", {"incidents": [GOOD_ROW.split(",")]}))
    for column in range(17, 101):
        book["Tapahtumat"].cell(1, column).value = f"c{column}"
    notes = book.create_sheet("Muistiinpanot")
    notes["C1"] = "pidetään"
    notes.cell(1, 17_000).value = "Excelin ulkopuolella"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    verdict = verdict_of(schema, "wide.xlsx", data)
    assert [i.rule for i in verdict.issues] == ["too_many_columns"]
    copy = opened(annotated_workbook(data, verdict, schema, "fi"))
    assert copy["Tapahtumat"].max_column == 61
    assert (copy["Muistiinpanot"].max_column, copy["Muistiinpanot"]["C1"].value) == (3, "pidetään")
