import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipelines.ingest import reader
from pipelines.ingest.reader import (
    _split_with_csv,
    _stripped,
    _wide_header,
    read_records,
    read_table,
    split_records,
)
from pipelines.settings import DEFAULT_LIMITS
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import GOOD_ROW, INCIDENT_HEADER, TODAY


def test_kind_is_recognised_from_the_header(schema):
    assert read_table(f"{INCIDENT_HEADER}\n{GOOD_ROW}\n".encode(), schema, "en").kind == "incidents"
    missions = b"region_code,year,month,missions\n05,2023,1,100\n"
    assert read_table(missions, schema, "en").kind == "missions"


def test_rows_keep_spreadsheet_numbers_across_blank_lines(schema):
    table = read_table(f"{INCIDENT_HEADER}\n{GOOD_ROW}\n\n{GOOD_ROW}\n".encode(), schema, "en")
    assert table.cells.get_column("_row").to_list() == [2, 4]


def test_byte_order_mark_is_accepted(schema):
    table = read_table(
        b"\xef\xbb\xbfregion_code,year,month,missions\n05,2023,1,100\n", schema, "en"
    )
    assert table.kind == "missions" and not table.issues


def test_empty_file_is_fatal(schema):
    table = read_table(b"", schema, "en")
    assert [(i.severity, i.rule) for i in table.issues] == [("fatal", "file_empty")]


def test_binary_content_is_fatal(schema):
    table = read_table(b"\x00\x01PK\x03\x04", schema, "en")
    assert table.issues[0].rule == "binary_file"
    assert table.issues[0].severity == "fatal"


def test_unrecognised_header_is_fatal_and_names_the_expected_columns(schema):
    table = read_table(b"name,age\nx,1\n", schema, "en")
    assert table.issues[0].rule == "kind_unrecognised"
    assert "incident_id" in table.issues[0].message


def test_ragged_row_is_reported_with_its_row(schema):
    table = read_table(f"{INCIDENT_HEADER}\n{GOOD_ROW}\nA,05\n".encode(), schema, "en")
    [issue] = table.issues
    assert (issue.rule, issue.row) == ("ragged_row", 3)
    assert "2 fields" in issue.message and "16" in issue.message
    assert table.cells.height == 1


def test_header_problems_are_errors(schema):
    header = INCIDENT_HEADER.replace("urgency", "colour").replace(",description", ",staff_count")
    table = read_table(f"{header}\n".encode(), schema, "en")
    rules = {(i.rule, i.column) for i in table.issues}
    assert rules == {("unknown_column", "colour"), ("duplicate_column", "staff_count")}


# A Finnish and a Swedish incidents header as a contact writes them, without the location.
FI_HEADER_WITHOUT_LOCATION = (
    "tapahtuman_tunnus;hyvinvointialue;päivämäärä;kellonaika;kiireellisyysluokka;"
    "tapahtuman_tyyppi;tekijä;päihteet;ennakkotieto;poliisiin_yhteys;"
    "ilmoitettu_työnantajalle;henkilöstön_vamma;sairauspoissaolopäivät;henkilöstön_määrä;kuvaus"
)
SV_HEADER_WITHOUT_LOCATION = (
    "händelse_id;välfärdsområde;datum;klockslag;brådskandeklass;typ_av_händelse;förövare;"
    "berusningsmedel;förhandsinformation;polisen_kontaktad;anmält_till_arbetsgivaren;"
    "personalens_skada;sjukfrånvarodagar;antal_anställda;beskrivning"
)


@pytest.mark.parametrize(
    ("header", "lang", "message"),
    [
        (FI_HEADER_WITHOUT_LOCATION, "fi", "Pakollinen sarake tapahtumapaikka puuttuu."),
        (SV_HEADER_WITHOUT_LOCATION, "sv", "Den obligatoriska kolumnen plats saknas."),
        (FI_HEADER_WITHOUT_LOCATION, "en", "The required column tapahtumapaikka is missing."),
        (INCIDENT_HEADER.replace(",location", ""), "fi", "Pakollinen sarake location puuttuu."),
    ],
)
def test_a_missing_column_is_named_in_the_language_of_the_files_header(
    schema, header, lang, message
):
    table = read_table(f"{header}\n".encode(), schema, lang)
    [issue] = table.issues
    assert (issue.rule, issue.column, issue.message) == ("missing_column", "location", message)


def test_the_files_header_language_is_told_from_the_names_it_uses(schema):
    fi = read_table(f"{FI_HEADER_WITHOUT_LOCATION}\n".encode(), schema, "sv")
    assert fi.language == "fi"
    assert fi.written["location"] == "tapahtumapaikka"
    assert fi.written["incident_id"] == "tapahtuman_tunnus"
    assert read_table(f"{SV_HEADER_WITHOUT_LOCATION}\n".encode(), schema, "fi").language == "sv"
    assert read_table(f"{INCIDENT_HEADER}\n".encode(), schema, "fi").language == "en"


def test_an_unknown_column_lists_the_allowed_ones_in_the_files_language(schema):
    header = FI_HEADER_WITHOUT_LOCATION + ";väri;tapahtumapaikka"
    [issue] = read_table(f"{header}\n".encode(), schema, "fi").issues
    assert issue.rule == "unknown_column"
    assert issue.message.startswith(
        "Tuntematon sarake väri. Sallitut sarakkeet: tapahtuman_tunnus,"
    )
    assert "tapahtumapaikka" in issue.message and "location" not in issue.message


def test_an_unrecognised_header_offers_the_columns_in_the_messages_language(schema):
    [issue] = read_table(b"nimi;ika\nx;1\n", schema, "fi").issues
    assert issue.rule == "kind_unrecognised"
    assert "Tapahtumat: tapahtuman_tunnus, hyvinvointialue, päivämäärä" in issue.message
    assert "Ensihoitotehtävät: hyvinvointialue, vuosi, kuukausi, tehtävät" in issue.message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab ;,"\n\r\t', max_size=60), st.integers(min_value=1, max_value=4))
def test_fast_split_agrees_with_the_csv_module(text, keep):
    """The vectorised splitter either falls back or reads exactly what the csv module reads,
    the fields past `keep` counted and left out alike."""
    fast, fast_quote = split_records(text, ";", keep)
    slow, slow_quote = _split_with_csv(text, ";", keep)
    assert fast.width <= 2 + keep and slow.width <= 2 + keep
    width = max(fast.width, slow.width)
    columns = ["_row", "_fields", *(f"f{i}" for i in range(width - 2))]

    def padded(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            pl.col(c).fill_null("") if c in frame.columns else pl.lit("").alias(c) for c in columns
        ).with_columns(pl.col("_row", "_fields").cast(pl.Int64))

    assert padded(fast).equals(padded(slow))
    assert fast_quote == slow_quote


def test_quoted_fields_with_delimiters_and_quotes_read_as_written(schema):
    text = f'{INCIDENT_HEADER}\n{GOOD_ROW}\n"a;b",\n'
    frame, open_quote = split_records('x;y\n"a;b";"c""d"\n', ";", 61)
    assert open_quote is None
    assert frame.row(1) == (2, 2, "a;b", 'c"d')
    assert read_table(text.encode(), schema, "en").cells.height == 1


# What a file may be at most, as the portal, `evstats validate` and the pipeline hold it.
LIMIT = DEFAULT_LIMITS.max_columns
DELIMITERS = [",", ";", "\t"]


def incidents_file(delimiter: str, *rows: str) -> bytes:
    """The incidents header and `rows` (written with commas) in `delimiter`."""
    lines = [INCIDENT_HEADER, *rows]
    return ("\n".join(line.replace(",", delimiter) for line in lines) + "\n").encode()


def kept_columns(data: bytes, schema) -> int:
    """How many value columns the reader built, whatever the file's width."""
    return read_records(data, schema).frame.width - 2


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_row_of_a_million_delimiters_is_an_error_of_its_row(schema, delimiter):
    """Its fields past the limit were counted, not read: 16 written + 1,000,000 empty."""
    data = incidents_file(delimiter, GOOD_ROW + "," * 1_000_000)
    table = read_table(data, schema, "en")
    assert [(i.severity, i.rule, i.row) for i in table.issues] == [("error", "row_too_wide", 2)]
    assert table.issues[0].message.startswith(
        "The row has 1000016 fields, but a row may have at most 60."
    )
    assert table.cells.height == 0
    assert kept_columns(data, schema) == LIMIT + 1


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_header_of_a_million_names_is_too_wide_without_a_column_each(schema, delimiter):
    data = (delimiter.join(f"c{i}" for i in range(1_000_000)) + "\n").encode()
    [issue] = read_table(data, schema, "en").issues
    assert (issue.severity, issue.rule, issue.row) == ("fatal", "too_many_columns", 1)
    assert issue.message == "The header has 1000000 columns; at most 60 are allowed."
    assert kept_columns(data, schema) == LIMIT + 1


def test_a_header_too_wide_is_refused_without_splitting_the_file(schema, monkeypatch):
    """Blank lines first and a CRLF end change nothing: the header is counted in place."""

    def split_records(*args: object) -> None:
        raise AssertionError("the file was split")

    monkeypatch.setattr(reader, "split_records", split_records)
    data = b"\r\n\n" + ";".join(f"c{i}" for i in range(100)).encode() + b"\r\n" + b"a;b\n" * 9
    [issue] = read_table(data, schema, "en").issues
    assert (issue.rule, issue.row) == ("too_many_columns", 3)
    assert issue.message == "The header has 100 columns; at most 60 are allowed."


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab ;"\n\r', max_size=40), st.integers(min_value=1, max_value=4))
@example("\n\r\n a ;b;;\r\n;b\n", 2)
def test_a_wide_header_read_alone_is_the_first_record_of_the_whole_file(text, keep):
    header = _wide_header(text, ";", keep)
    if header is not None:
        whole, _ = split_records(text, ";", keep)
        assert _stripped(header).equals(_stripped(whole).head(1))
        assert header.item(0, "_fields") > keep


def test_a_header_of_trailing_delimiters_past_the_limit_is_too_wide(schema):
    """Every field counts, empty ones too, as in a row: 16 names and 45 empty fields."""
    [issue] = read_table(f"{INCIDENT_HEADER}{',' * 45}\n".encode(), schema, "en").issues
    assert (issue.rule, issue.message) == (
        "too_many_columns",
        "The header has 61 columns; at most 60 are allowed.",
    )


def test_a_row_as_wide_as_the_limit_is_read_and_one_field_more_is_not(schema):
    """Excel's empty trailing columns are taken up to 60 fields: 16 + 44 empty, then 45."""
    data = incidents_file(",", GOOD_ROW + "," * 44, "X2" + GOOD_ROW[2:] + "," * 45)
    table = read_table(data, schema, "en")
    assert [(i.rule, i.row) for i in table.issues] == [("row_too_wide", 3)]
    assert "61 fields" in table.issues[0].message
    assert table.cells.get_column("_row").to_list() == [2]


def test_a_wide_row_of_empty_fields_is_not_dropped_as_a_blank_line(schema):
    """A line of delimiters alone is a blank row while it is narrow enough: past the limit
    its cut-off fields are unknown, so it is too wide rather than dropped."""
    data = incidents_file(";", GOOD_ROW, ";" * 20, ";" * 100)
    table = read_table(data, schema, "en")
    assert [(i.rule, i.row) for i in table.issues] == [("row_too_wide", 4)]
    assert "101 fields" in table.issues[0].message


def test_a_wide_row_is_cut_short_by_the_csv_module_too(schema):
    """A quoted line break sends the file through the csv module; the wide row is told
    apart the same way, on row 3 as a spreadsheet numbers it (a record is a row)."""
    data = incidents_file(",", GOOD_ROW + '"two\nlines"', "X2" + GOOD_ROW[2:] + "," * 1000)
    table = read_table(data, schema, "en")
    assert [(i.rule, i.row) for i in table.issues] == [("row_too_wide", 3)]
    assert "1016 fields" in table.issues[0].message
    assert table.cells.select("_row", "f15").rows() == [(2, "two\nlines")]
    assert kept_columns(data, schema) == LIMIT + 1


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Rivillä on 1016 kenttää, mutta rivillä saa olla enintään 60."),
        ("sv", "Raden har 1016 fält, men en rad får ha högst 60."),
    ],
)
def test_a_wide_row_is_told_in_the_contacts_language(schema, lang, message):
    [issue] = read_table(incidents_file(",", GOOD_ROW + "," * 1000), schema, lang).issues
    assert issue.message.startswith(message)


def test_a_file_with_a_wide_row_is_rejected(schema):
    data = incidents_file(",", GOOD_ROW, "X2" + GOOD_ROW[2:] + "," * 1_000_000)
    files = [SubmissionFile("wide.csv", data, "05", 2023)]
    [verdict] = validate_files(files, schema, lang="en", today=TODAY, evaluator="polars")
    assert not verdict.accepted
    assert [(i.rule, i.row) for i in verdict.issues] == [("row_too_wide", 3)]
    assert verdict.rows == 1
