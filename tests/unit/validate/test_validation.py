import io

import openpyxl
import pytest

from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import GOOD_ROW, INCIDENT_HEADER, TODAY


def verdict_of(schema, text, region="05", year=2023, lang="en"):
    f = SubmissionFile("f.csv", text.encode(), region, year)
    return validate_files([f], schema, lang=lang, today=TODAY)[0]


def incidents(*rows):
    return INCIDENT_HEADER + "\n" + "\n".join(rows) + "\n"


def row(**changes):
    columns = INCIDENT_HEADER.split(",")
    values = dict(zip(columns, GOOD_ROW.split(","), strict=True))
    values.update(changes)
    return ",".join(values[c] for c in columns)


def cells(verdict):
    return {(i.row, i.column, i.rule, i.severity) for i in verdict.issues}


def test_a_good_file_is_accepted_with_typed_rows(schema):
    v = verdict_of(schema, incidents(GOOD_ROW, row(incident_id="X2", staff_count="")))
    assert v.accepted and v.issues == []
    assert v.frame.height == 2
    assert str(v.frame.get_column("incident_date")[0]) == "2023-03-01"
    assert "description" not in v.frame.columns


@pytest.mark.parametrize(
    ("change", "column", "rule"),
    [
        ({"incident_type": ""}, "incident_type", "required"),
        ({"incident_type": "punch"}, "incident_type", "code"),
        ({"urgency": "E"}, "urgency", "code"),
        ({"region_code": "91"}, "region_code", "code"),
        ({"region_code": "06"}, "region_code", "region_mismatch"),
        ({"incident_date": "2023-02-30"}, "incident_date", "date_nonexistent"),
        ({"incident_date": "31.02.2023"}, "incident_date", "date_nonexistent"),
        ({"incident_date": "2023-13-01"}, "incident_date", "date_nonexistent"),
        ({"incident_date": "1.3.2023x"}, "incident_date", "date_format"),
        ({"incident_date": "2023-3-1"}, "incident_date", "date_format"),
        ({"incident_date": "2022-12-31"}, "incident_date", "date_out_of_year"),
        ({"incident_time": "24:00"}, "incident_time", "time_format"),
        ({"staff_count": "0"}, "staff_count", "out_of_range"),
        ({"staff_count": "21"}, "staff_count", "out_of_range"),
        ({"staff_count": "two"}, "staff_count", "integer_format"),
        ({"sick_leave_days": "3"}, "sick_leave_days", "only_when"),
        (
            {"staff_injury": "sick_leave", "sick_leave_days": "366"},
            "sick_leave_days",
            "out_of_range",
        ),
        ({"description": "x" * 2001}, "description", "text_too_long"),
    ],
)
def test_each_rule_names_row_column_and_rejects(schema, change, column, rule):
    v = verdict_of(schema, incidents(GOOD_ROW.replace("X1", "X0"), row(**change)))
    assert not v.accepted
    assert cells(v) == {(3, column, rule, "error")}
    assert v.frame is None


def test_only_the_first_failing_rule_of_a_cell_is_reported(schema):
    v = verdict_of(schema, incidents(row(region_code="91")))
    assert [i.rule for i in v.issues] == ["code"]


@pytest.mark.parametrize("evaluator", ["polars", "gx"])
@pytest.mark.parametrize(
    ("lang", "nonexistent", "malformed"),
    [
        (
            "fi",
            "Päivämäärää 31.02.2023 ei ole olemassa. Tarkista päivä ja kuukausi.",
            "”1.3.2023x” ei ole päivämäärä (muotoa 2023-03-01 tai 1.3.2023).",
        ),
        (
            "sv",
            "Datumet 31.02.2023 finns inte. Kontrollera dag och månad.",
            "”1.3.2023x” är inte ett datum (i formen 2023-03-01 eller 1.3.2023).",
        ),
        (
            "en",
            "The date 31.02.2023 does not exist. Check the day and the month.",
            "“1.3.2023x” is not a date (as 2023-03-01 or 1.3.2023).",
        ),
    ],
)
def test_a_date_that_does_not_exist_is_told_apart_from_one_not_written_as_a_date(
    schema, evaluator, lang, nonexistent, malformed
):
    text = incidents(
        row(incident_date="31.02.2023"), row(incident_id="X2", incident_date="1.3.2023x")
    )
    f = SubmissionFile("f.csv", text.encode(), "05", 2023)
    [v] = validate_files([f], schema, lang=lang, today=TODAY, evaluator=evaluator)
    assert [(i.row, i.rule, i.message) for i in v.issues] == [
        (2, "date_nonexistent", nonexistent),
        (3, "date_format", malformed),
    ]


def test_future_date_is_rejected(schema):
    v = verdict_of(schema, incidents(row(incident_date="2026-12-01")), year=2026)
    assert cells(v) == {(2, "incident_date", "date_in_future", "error")}


def test_duplicate_id_points_to_the_first_row(schema):
    v = verdict_of(schema, incidents(GOOD_ROW, row(incident_id="X2"), GOOD_ROW))
    [issue] = v.issues
    assert (issue.row, issue.rule, issue.value) == (4, "duplicate_key", "X1")
    assert "row 2" in issue.message


def test_sick_leave_days_with_sick_leave_is_fine(schema):
    v = verdict_of(schema, incidents(row(staff_injury="sick_leave", sick_leave_days="12")))
    assert v.accepted


def test_header_only_incidents_file_is_accepted_with_a_warning(schema):
    v = verdict_of(schema, INCIDENT_HEADER + "\n")
    assert v.accepted
    assert [(i.severity, i.rule) for i in v.issues] == [("warning", "no_rows")]
    assert (v.frame.height, str(v.frame.schema["incident_date"])) == (0, "Date")


def test_missions_rules(schema):
    text = "region_code,year,month,missions\n" + "".join(f"05,2023,{m},100\n" for m in range(1, 11))
    v = verdict_of(schema, text)
    assert v.accepted
    [warning] = v.issues
    assert (warning.rule, warning.value) == ("incomplete_months", "11, 12")
    bad = text + "05,2023,10,5\n05,2023,13,5\n05,2022,11,-1\n"
    v = verdict_of(schema, bad)
    assert {(i.row, i.column, i.rule) for i in v.issues if i.severity == "error"} == {
        (12, "month", "duplicate_key"),
        (13, "month", "out_of_range"),
        (14, "year", "year_mismatch"),
        (14, "missions", "out_of_range"),
    }


@pytest.mark.parametrize("evaluator", ["polars", "gx"])
def test_months_after_today_are_a_warning_in_each_language(schema, evaluator):
    """On 23.11.2026 (TODAY) November's count is in progress and December's still to
    come: the file is accepted and only December is told, in the reader's words."""
    text = "region_code,year,month,missions\n" + "".join(f"05,2026,{m},100\n" for m in range(1, 13))
    f = SubmissionFile("f.csv", text.encode(), "05", 2026)
    [v] = validate_files([f], schema, lang="fi", today=TODAY, evaluator=evaluator)
    assert v.accepted
    [issue] = v.issues
    assert (issue.severity, issue.row, issue.column, issue.rule) == (
        "warning",
        13,
        "month",
        "month_in_future",
    )
    assert issue.message.startswith("Kuukausi 12 vuonna 2026 on vasta tulossa")
    assert schema.message("month_in_future", "sv", value="12", year=2026).startswith(
        "Månad 12 år 2026 har inte kommit ännu"
    )


def test_a_year_after_todays_has_every_month_in_the_future_and_a_past_year_none(schema):
    text = "region_code,year,month,missions\n05,{y},1,100\n05,{y},12,100\n"
    later = verdict_of(schema, text.format(y=2027), year=2027)
    assert [(i.row, i.rule) for i in later.issues if i.rule == "month_in_future"] == [
        (2, "month_in_future"),
        (3, "month_in_future"),
    ]
    earlier = verdict_of(schema, text.format(y=2025), year=2025)
    assert "month_in_future" not in {i.rule for i in earlier.issues}


@pytest.mark.parametrize(
    ("lang", "at_least", "between"),
    [
        ("fi", "Arvo -1 ei kelpaa: sen pitää olla vähintään 0.", "sen pitää olla välillä 1–12."),
        (
            "sv",
            "Värdet -1 är inte tillåtet: det ska vara minst 0.",
            "det ska vara mellan 1 och 12.",
        ),
        (
            "en",
            "The value -1 is not allowed: it must be at least 0.",
            "it must be between 1 and 12.",
        ),
    ],
)
def test_a_number_out_of_range_is_told_its_bounds_in_words(schema, lang, at_least, between):
    """A bound on one side only used to read `0–.`"""
    text = "region_code,year,month,missions\n05,2023,1,-1\n05,2023,13,5\n"
    v = verdict_of(schema, text, lang=lang)
    messages = {i.column: i.message for i in v.issues if i.rule == "out_of_range"}
    assert messages["missions"] == at_least
    assert messages["month"].endswith(between)


def test_without_claims_region_and_year_are_not_checked(schema):
    v = verdict_of(schema, incidents(row(region_code="06", incident_date="2021-05-05")), None, None)
    assert v.accepted


def test_folder_that_is_not_a_region_is_fatal(schema):
    v = verdict_of(schema, incidents(row(region_code="91")), region="91")
    assert ("fatal", "region_folder_unknown") in {(i.severity, i.rule) for i in v.issues}


def test_messages_follow_the_language(schema):
    v = verdict_of(schema, incidents(row(urgency="E")), lang="fi")
    assert v.issues[0].message.startswith("Arvo ”E” ei ole sallittu sarakkeessa urgency")
    v = verdict_of(schema, incidents(row(urgency="E")), lang="sv")
    assert v.issues[0].message.startswith("Värdet ”E” är inte tillåtet")


def test_personal_identity_code_never_appears_in_an_issue(schema):
    v = verdict_of(
        schema, incidents(row(incident_id="131052-308T"), row(incident_id="131052-308T"))
    )
    assert v.issues and all("308T" not in str(i.as_dict()) for i in v.issues)
    assert v.issues[0].value == "131052-****"


def test_a_header_holding_personal_data_is_flagged_and_shown_masked_everywhere(schema):
    header = f"{INCIDENT_HEADER},matti@example.fi,puh 040 123 45 67"
    text = f"{header}\n{GOOD_ROW},131052-308T,\n{row(incident_id='X2')},,ei\n"
    [v] = validate_files(
        [SubmissionFile("matti_040 1234567.csv", text.encode(), "05", 2023)],
        schema,
        lang="fi",
        today=TODAY,
    )
    assert not v.accepted
    assert cells(v) == {
        (1, "***@example.fi", "personal_data_header", "error"),
        (1, "puh 040 ****", "personal_data_header", "error"),
        (2, "***@example.fi", "personal_data", "error"),
    }
    email = next(i for i in v.issues if i.column == "***@example.fi" and i.row == 1)
    assert email.value == "***@example.fi"
    assert email.message == (
        "Sarakkeen otsikossa on henkilötieto (sähköpostiosoite): ***@example.fi. "
        "Poista sarake ja lähetä tiedosto uudelleen."
    )
    value = next(i for i in v.issues if i.rule == "personal_data")
    assert value.message.startswith("Sarakkeessa ***@example.fi on henkilötieto (henkilötunnus)")
    assert v.file == "matti_040 ****.csv"
    assert v.headers["***@example.fi"] == "***@example.fi"
    shown = str([v.as_dict(), v.headers])
    for raw in ("matti@", "308T", "123 45 67", "1234567"):
        assert raw not in shown


def test_an_unknown_column_without_personal_data_is_only_unknown(schema):
    v = verdict_of(schema, f"{INCIDENT_HEADER},notes\n{GOOD_ROW},31.12.2023 klo 09.30\n")
    assert cells(v) == {(1, "notes", "unknown_column", "error")}


def test_a_column_named_twice_is_read_twice(schema):
    header = f"{INCIDENT_HEADER},description"
    v = verdict_of(schema, f"{header}\n{GOOD_ROW}ok,soita 09 1234 5678\n")
    assert {(i.row, i.column, i.rule) for i in v.issues} == {
        (1, "description", "duplicate_column"),
        (2, "description", "personal_data"),
    }
    assert "09 ****" in next(i.message for i in v.issues if i.rule == "personal_data")


def test_the_sheet_name_of_a_workbook_is_masked(schema):
    from tests.workbooks import filled_template

    data = filled_template(schema, "en", {"incidents": [GOOD_ROW.split(",")]})
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Incidents"].title = "Matti 040 1234567"
    buffer = io.BytesIO()
    book.save(buffer)
    [v] = validate_files(
        [SubmissionFile("t.xlsx", buffer.getvalue(), "05", 2023)], schema, lang="en", today=TODAY
    )
    assert v.accepted and v.sheet == "Matti 040 ****"


def test_many_files_in_one_batch_keep_their_own_verdicts(schema):
    files = [
        SubmissionFile("a.csv", incidents(GOOD_ROW).encode(), "05", 2023),
        SubmissionFile("b.csv", incidents(row(region_code="06")).encode(), "06", 2023),
        SubmissionFile("c.csv", incidents(row(urgency="Q")).encode(), "05", 2023),
    ]
    a, b, c = validate_files(files, schema, lang="en", today=TODAY)
    assert a.accepted and b.accepted
    assert cells(c) == {(2, "urgency", "code", "error")}


def test_messages_name_columns_as_the_file_wrote_them_and_offer_labels(schema):
    finnish = ";".join(
        schema.contracts["incidents"].header(c, "fi") for c in schema.contracts["incidents"].columns
    )
    row = "X1;05;1.3.2023;7.05;A;Lyöminen;Potilas;Alkoholi;Koti;Ei;Ei;Kyllä;Ei vammaa;3;2;"
    v = verdict_of(schema, f"{finnish}\n{row}\n", lang="fi")
    by_column = {i.column: i.message for i in v.issues}
    assert set(by_column) == {"incident_type", "location", "sick_leave_days"}  # contract names
    assert "sarakkeessa tapahtuman_tyyppi" in by_column["incident_type"]
    assert "Lievä fyysinen väkivalta (physical_mild)" in by_column["incident_type"]
    assert by_column["sick_leave_days"] == (
        "Sarakkeessa sairauspoissaolopäivät saa olla arvo vain, kun henkilöstön_vamma on "
        "”Sairauspoissaoloon johtanut vamma”."
    )


@pytest.mark.parametrize("evaluator", ["polars", "gx"])
def test_every_identifier_of_a_failing_length_is_reported_not_only_the_one_gx_saw(
    schema, evaluator
):
    """GX is shown one identifier of each length: the verdict of that one must reach every
    row of its length (rows 3 and 5, two different ids of 65 characters; row 6 has 70),
    and a missing id is reported as missing, while ids of a good length pass."""
    text = incidents(
        row(incident_id="A1"),
        row(incident_id="a" * 65),
        row(incident_id="B2"),
        row(incident_id="b" * 65),
        row(incident_id="c" * 70),
        row(incident_id=""),
        row(incident_id="d" * 64),
    )
    f = SubmissionFile("f.csv", text.encode(), "05", 2023)
    [v] = validate_files([f], schema, lang="en", today=TODAY, evaluator=evaluator)
    assert cells(v) == {
        (3, "incident_id", "text_too_long", "error"),
        (5, "incident_id", "text_too_long", "error"),
        (6, "incident_id", "text_too_long", "error"),
        (7, "incident_id", "required", "error"),
    }


@pytest.mark.parametrize("evaluator", ["polars", "gx"])
def test_issues_past_the_limit_are_counted_not_kept(schema, evaluator):
    """Five rows with a bad urgency and one with a bad type, three issues kept: the first
    three by row, and the true counts (six errors) still reported."""
    from pipelines.settings import Limits

    bad = [row(incident_id=f"X{n}", urgency="E") for n in range(2, 7)]
    text = incidents(row(incident_type="punch"), *bad)
    f = SubmissionFile("f.csv", text.encode(), "05", 2023)
    [v] = validate_files(
        [f], schema, lang="en", today=TODAY, evaluator=evaluator, limits=Limits(max_issues=3)
    )
    assert [(i.row, i.column) for i in v.issues] == [
        (2, "incident_type"),
        (3, "urgency"),
        (4, "urgency"),
    ]
    assert v.omitted == {"error": 3}
    assert (v.count("error"), v.issue_count, v.accepted) == (6, 6, False)


def test_a_file_within_the_limit_keeps_every_issue(schema):
    from pipelines.settings import Limits

    text = incidents(row(urgency="E"), row(incident_id="X2", urgency="E"))
    f = SubmissionFile("f.csv", text.encode(), "05", 2023)
    [v] = validate_files([f], schema, lang="en", today=TODAY, limits=Limits(max_issues=2))
    assert [i.row for i in v.issues] == [2, 3]
    assert v.omitted == {} and v.count("error") == 2
