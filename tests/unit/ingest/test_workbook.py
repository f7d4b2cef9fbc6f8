"""The filled workbook template is read as the CSV export of its sheet would be."""

import io
import zipfile
from datetime import datetime, time

import openpyxl
import pytest

from pipelines.ingest.inbox import scan_inbox
from pipelines.ingest.reader import cell_text, read_records, read_table
from pipelines.settings import DEFAULT_LIMITS, Limits
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import TODAY
from tests.workbooks import changed_member, filled_template, sheet_member

GOOD = ["X1", "05", "2023-03-01", "07:05", "A", "verbal", "patient", "alcohol", "ambulance"]
GOOD += ["no", "no", "yes", "none", None, "2", None]


def incident(**changes: object) -> list[object]:
    """A row of the Finnish template in the order of its columns, changed by position name."""
    names = ["id", "region", "date", "time", "urgency", "type", "perpetrator", "intoxicants"]
    names += ["location", "warning", "police", "reported", "injury", "sick", "staff", "text"]
    values = dict(zip(names, GOOD, strict=True))
    values.update(changes)
    return [values[n] for n in names]


def verdict_of(schema, name, data, lang="fi"):
    files = [SubmissionFile(name, data, "05", 2023)]
    [verdict] = validate_files(files, schema, lang=lang, today=TODAY, evaluator="polars")
    return verdict


def finnish_csv(schema, rows):
    contract = schema.contracts["incidents"]
    lines = [";".join(contract.header(c, "fi") for c in contract.columns)]
    lines += [";".join(v or "" for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_the_filled_template_gets_the_verdict_of_the_same_rows_as_csv(schema):
    """Cells typed as Excel types them (a date, a time, a whole number stored as a float,
    a formula with the value Excel cached, one without) read as their text would."""
    book = filled_template(
        schema,
        "fi",
        {
            "incidents": [
                incident(date=datetime(2023, 3, 1), time=time(7, 5), staff=2.0),
                incident(id="X2", date="1.3.2023", time="7.05", urgency="E", staff="=1+1"),
                None,
                incident(id="X3", region=5, staff="=1+2", text="  välissä tyhjä rivi  "),
            ]
        },
    )
    book = changed_member(
        book,
        sheet_member(book, "Tapahtumat"),
        lambda xml: xml.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>"),
    )
    csv = finnish_csv(
        schema,
        [
            incident(),
            incident(id="X2", date="1.3.2023", time="7.05", urgency="E", staff="2"),
            [],
            incident(id="X3", region="5", staff=None, text="välissä tyhjä rivi"),
        ],
    )
    from_book, from_csv = verdict_of(schema, "f", book), verdict_of(schema, "f", csv)
    assert from_book.as_dict() == from_csv.as_dict()
    assert [(i.row, i.rule) for i in from_book.issues] == [(3, "code")]
    assert "sarakkeessa kiireellisyysluokka" in from_book.issues[0].message
    assert (from_book.rows, from_book.encoding, from_book.delimiter) == (3, "xlsx", None)
    assert from_book.sheet == "Tapahtumat"


def test_rows_keep_their_sheet_numbers_and_the_templates_empty_rows_are_dropped(schema):
    book = filled_template(schema, "en", {"incidents": [incident(), None, incident(id="X2")]})
    table = read_table(book, schema, "en")
    assert table.cells.get_column("_row").to_list() == [2, 4]
    assert table.written["incident_date"] == "incident_date"


def test_an_empty_template_reads_as_a_header_only_incidents_file(schema):
    verdict = verdict_of(schema, "t.xlsx", filled_template(schema, "sv", {}), lang="sv")
    assert verdict.accepted
    assert [(i.severity, i.rule) for i in verdict.issues] == [("warning", "no_rows")]


def test_the_missions_sheet_is_read_when_it_alone_holds_rows(schema):
    months = [["05", "2023", str(m), "1234"] for m in range(1, 13)]
    verdict = verdict_of(schema, "m.xlsx", filled_template(schema, "fi", {"missions": months}))
    assert (verdict.kind, verdict.accepted, verdict.rows) == ("missions", True, 12)
    assert verdict.sheet == "Ensihoitotehtävät"


def test_both_sheets_filled_is_refused_naming_them(schema):
    book = filled_template(
        schema, "fi", {"incidents": [incident()], "missions": [["05", "2023", "1", "5"]]}
    )
    [issue] = read_table(book, schema, "fi").issues
    assert (issue.severity, issue.rule) == ("fatal", "workbook_several_sheets")
    assert "(Tapahtumat, Ensihoitotehtävät)" in issue.message
    assert "eri tiedostoina" in issue.message


def test_a_workbook_without_a_contracts_header_is_unrecognised(schema):
    book = openpyxl.Workbook()
    book.active.append(["nimi", "ikä"])
    book.active.append(["x", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    [issue] = read_table(buffer.getvalue(), schema, "en").issues
    assert (issue.severity, issue.rule, issue.row) == ("fatal", "kind_unrecognised", 1)


def test_a_value_right_of_the_header_makes_the_row_ragged(schema):
    book = filled_template(schema, "en", {"incidents": [incident(), [*incident(id="X2"), "x"]]})
    table = read_table(book, schema, "en")
    assert [(i.rule, i.row) for i in table.issues] == [("ragged_row", 3)]
    assert "17 fields" in table.issues[0].message


def test_a_header_wider_than_the_limit_is_refused_with_its_width(schema):
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(80)])
    buffer = io.BytesIO()
    book.save(buffer)
    [issue] = read_table(buffer.getvalue(), schema, "en", Limits(max_columns=10)).issues
    assert issue.rule == "too_many_columns"
    assert "80 columns" in issue.message


def test_a_value_in_excels_last_column_makes_the_row_too_wide_and_is_not_kept(schema):
    """XFD is column 16,384: the row is an error of its own and only 61 cells are read."""
    wide = [*incident(id="X2"), *[None] * (16_384 - 17), "x"]
    book = filled_template(schema, "en", {"incidents": [incident(), wide]})
    table = read_table(book, schema, "en")
    assert [(i.severity, i.rule, i.row) for i in table.issues] == [("error", "row_too_wide", 3)]
    assert "16384 fields" in table.issues[0].message
    assert table.cells.get_column("_row").to_list() == [2]
    assert read_records(book, schema).frame.width == 2 + DEFAULT_LIMITS.max_columns + 1


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A workbook's two parts and a member of 200 MB of zeros, packed to about 200 kB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    return out.getvalue()


@pytest.fixture
def read_unexpanded(schema, monkeypatch):
    """read_table, failing the test if any zip member is opened or openpyxl is asked to load."""

    def refuse(*args, **kwargs):
        raise AssertionError("a member was expanded")

    def read(data: bytes, limits: Limits = DEFAULT_LIMITS):
        with monkeypatch.context() as patched:
            patched.setattr(zipfile.ZipFile, "open", refuse)
            patched.setattr(openpyxl, "load_workbook", refuse)
            return read_table(data, schema, "fi", limits)

    return read


def test_a_zip_bomb_is_refused_without_expanding_it(zip_bomb, read_unexpanded):
    assert len(zip_bomb) < 1024 * 1024
    [issue] = read_unexpanded(zip_bomb).issues
    assert (issue.severity, issue.rule) == ("fatal", "workbook_too_large")
    assert "400 Mt" in issue.message


def test_a_workbook_too_large_once_unpacked_is_refused(read_unexpanded):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>" + " " * 5000)
    limits = Limits(max_bytes=len(out.getvalue()) + 10, unpacked_per_byte=1)
    assert read_unexpanded(out.getvalue(), limits).issues[0].rule == "workbook_too_large"


def test_a_workbook_of_too_many_parts_is_refused(read_unexpanded):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in ["[Content_Types].xml", "xl/workbook.xml", *(f"x{i}" for i in range(20))]:
            archive.writestr(name, "")
    limits = Limits(max_workbook_members=10)
    assert read_unexpanded(out.getvalue(), limits).issues[0].rule == "workbook_too_large"


def test_a_zip_that_is_not_a_workbook_is_refused_as_before(schema):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("incidents.csv", "incident_id\nX1\n")
    [issue] = read_table(out.getvalue(), schema, "en").issues
    assert (issue.severity, issue.rule) == ("fatal", "binary_file")
    assert "neither a CSV file nor an Excel workbook" in issue.message


def test_a_damaged_workbook_is_unreadable(schema):
    book = filled_template(schema, "en", {"incidents": [incident()]})
    broken = changed_member(book, "xl/workbook.xml", lambda xml: xml[: len(xml) // 2])
    [issue] = read_table(broken, schema, "en").issues
    assert (issue.severity, issue.rule) == ("fatal", "workbook_unreadable")


def test_xml_entities_are_refused_by_defusedxml(schema):
    """openpyxl parses with defusedxml when it is installed: a billion-laughs entity in a
    sheet ends the reading instead of expanding."""
    assert openpyxl.DEFUSEDXML is True
    book = filled_template(schema, "en", {"incidents": [incident()]})
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    bomb = changed_member(
        book,
        sheet_member(book, "Incidents"),
        lambda xml: laughs + xml.replace(b"<sheetData>", b"<sheetData>&a;"),
    )
    [issue] = read_table(bomb, schema, "en").issues
    assert issue.rule == "workbook_unreadable"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12.0, "12"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.3"),
        (7, "7"),
        (datetime(2023, 4, 5), "2023-04-05"),
        (datetime(2023, 4, 5, 7, 5), "2023-04-05 07:05"),
        (time(7, 5), "07:05"),
        (time(7, 5, 30), "07:05:30"),
        ("  A ", "  A "),
        (None, None),
    ],
)
def test_cells_read_as_the_contact_sees_them(value, text):
    assert cell_text(value) == text


def test_the_inbox_takes_workbooks(tmp_path):
    folder = tmp_path / "2023" / "05"
    folder.mkdir(parents=True)
    for name in ("a.csv", "b.xlsx", "~$b.xlsx", "c.pdf"):
        (folder / name).write_bytes(b"")
    found, ignored = scan_inbox(tmp_path, 2023)
    assert sorted(f.path.name for f in found) == ["a.csv", "b.xlsx"]
    assert sorted(p.name for p in ignored) == ["c.pdf", "~$b.xlsx"]
