"""An issue kept as its rule and parameters, rendered in any language when shown."""

import json

from pipelines.contract.issues import make_issue, personal_data_issue, render


def test_an_issue_made_in_finnish_renders_in_swedish_and_english_from_its_record(schema):
    issue = make_issue(
        schema,
        "only_when",
        "fi",
        row=4,
        column="sick_leave_days",
        value="3",
        other="staff_injury",
        expected={"fi": "Sairausloma", "sv": "Sjukfrånvaro", "en": "Sick leave"},
        headers={"sick_leave_days": "sairauslomapäivät", "staff_injury": "henkilövahinko"},
    )
    record = json.loads(json.dumps(issue.record()))  # as the register's JSON keeps it
    assert "message" not in record
    assert render(schema, record, "fi") == issue
    assert render(schema, record, "sv").message == (
        "Kolumnen sairauslomapäivät får ha ett värde endast när henkilövahinko är ”Sjukfrånvaro”."
    )
    assert render(schema, record, "en").message == (
        "Column sairauslomapäivät may have a value only when henkilövahinko is “Sick leave”."
    )


def test_parameters_are_kept_masked_in_every_language(schema):
    found = [("hetu", "131052-308T")]
    issue = personal_data_issue(schema, "personal_data", "fi", found, row=2, column="description")
    kept = json.dumps(issue.record(), ensure_ascii=False)
    assert "308T" not in kept and "131052-****" in kept
    assert set(issue.params["detail"]) == {"fi", "sv", "en"}
    assert "131052-****" in render(schema, issue.record(), "sv").message


def test_a_record_the_migration_could_not_read_keeps_its_text_and_a_lost_rule_its_code(schema):
    old = {"severity": "error", "row": 2, "column": "x", "value": "y", "rule": "code",
           "message": "Vanha teksti."}  # fmt: skip
    assert render(schema, old, "sv").message == "Vanha teksti."
    gone = {**old, "rule": "no_such_rule", "params": {"column": "x"}}
    assert render(schema, gone, "sv").message == "no_such_rule"
