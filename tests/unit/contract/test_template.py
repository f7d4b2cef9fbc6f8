from openpyxl import load_workbook

from pipelines.contract.template import template_csv, write_templates
from pipelines.validate.verdict import SubmissionFile, validate_files
from tests.conftest import TODAY


def test_finnish_csv_template_opens_in_finnish_excel(schema):
    data = template_csv(schema.contracts["missions"], "fi")
    assert data == "\ufeffhyvinvointialue;vuosi;kuukausi;tehtävät\r\n".encode()
    assert (
        template_csv(schema.contracts["missions"], "en") == b"region_code,year,month,missions\r\n"
    )


def test_a_filled_template_is_accepted(schema, tmp_path):
    [incidents, _, _] = write_templates(schema, "fi", tmp_path)
    row = (
        "X1;5;1.3.2023;7.05;A;Lievä fyysinen väkivalta;Potilas;Alkoholi;Ambulanssi;"
        "Ei;Ei;Kyllä;Ei vammaa;;2;\r\n"
    )
    data = incidents.read_bytes() + row.encode()
    [verdict] = validate_files(
        [SubmissionFile("t.csv", data, "05", 2023)], schema, lang="fi", today=TODAY
    )
    assert verdict.accepted, [i.message for i in verdict.issues]
    assert verdict.frame["incident_type"][0] == "physical_mild"


def test_workbook_has_sheets_dropdowns_and_allowed_values(schema, tmp_path):
    path = write_templates(schema, "sv", tmp_path)[-1]
    book = load_workbook(path)
    assert book.sheetnames == ["Händelser", "Ambulansuppdrag", "Tillåtna värden"]
    sheet = book["Händelser"]
    assert sheet["A1"].value == "händelse_id"
    coded = [c for c in schema.contracts["incidents"].columns if c.codelist]
    assert len(sheet.data_validations.dataValidation) == len(coded)
    values = [r for r in book["Tillåtna värden"].iter_rows(values_only=True)]
    assert ("förövare", "patient", "patient", "Patient") in values
