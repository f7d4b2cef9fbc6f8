import csv
import io
import time

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
    assert ("förövare", "patient", "Patient", "Patient") in values
    assert ("datum", "datum (1.3.2023 eller 2023-03-01)") in [v[:2] for v in values]


def dropdowns(book, sheet_name):
    """Each drop-down's header and the values of the list it points to, as Excel shows them."""
    sheet = book[sheet_name]
    lists = {}
    for rule in sheet.data_validations.dataValidation:
        target, cells = rule.formula1.split("!")
        first, last = (int(ref.split("$")[-1]) for ref in cells.split(":"))
        column = sheet[str(rule.sqref).split(":")[0][0] + "1"].value
        values = book[target.strip("'")]
        lists[column] = ([values.cell(r, 3).value for r in range(first, last + 1)], rule)
    return lists


def test_finnish_dropdowns_offer_finnish_values_and_refuse_others(schema, tmp_path):
    book = load_workbook(write_templates(schema, "fi", tmp_path)[-1])
    lists = dropdowns(book, "Tapahtumat")
    assert lists["tapahtuman_tyyppi"][0] == [
        "Sanallinen tai henkinen väkivalta",
        "Uhkaaminen aseella tai esineellä",
        "Lievä fyysinen väkivalta",
        "Kipua tai vamman aiheuttanut väkivalta",
        "Seksuaalinen häirintä",
        "Muu",
    ]
    assert lists["ennakkotieto"][0] == ["Kyllä", "Ei", "Ei tiedossa"]
    assert lists["kiireellisyysluokka"][0][0] == "A (korkein)"
    regions = lists["hyvinvointialue"][0]
    assert regions[4] == "05 Varsinais-Suomen hyvinvointialue"
    assert regions[-1] == "90 Helsingin kaupunki"
    assert dropdowns(book, "Ensihoitotehtävät")["hyvinvointialue"][0] == regions
    for values, rule in lists.values():
        assert not {"verbal", "yes", "05"} & set(values)
        assert rule.showErrorMessage and rule.errorStyle == "stop"
        assert rule.errorTitle == "Arvo ei kelpaa" and len(rule.errorTitle) <= 32
        assert rule.error.startswith("Valitse arvo luettelosta.") and len(rule.error) <= 255
        assert "Sallitut arvot" in rule.error


def test_every_dropdown_value_of_a_filled_finnish_workbook_is_accepted(schema, tmp_path):
    """Fill the incidents sheet with every value of every list, save it as Finnish Excel
    saves a CSV, and the verdict accepts each value as its code."""
    book = load_workbook(write_templates(schema, "fi", tmp_path)[-1])
    sheet = book["Tapahtumat"]
    lists = {header: values for header, (values, _) in dropdowns(book, "Tapahtumat").items()}
    typed = {"päivämäärä": "1.3.2023", "kellonaika": "7.05", "henkilöstön_määrä": "2"}
    header = [cell.value for cell in sheet[1]]
    for i in range(max(len(v) for v in lists.values())):
        sheet.append(
            [
                f"T{i}"
                if name == "tapahtuman_tunnus"
                else lists[name][i % len(lists[name])]
                if name in lists
                else typed.get(name)
                for name in header
            ]
        )
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(
        sheet.iter_rows(values_only=True)
    )
    data = buffer.getvalue().encode("utf-8-sig")
    [verdict] = validate_files([SubmissionFile("t.csv", data)], schema, lang="fi", today=TODAY)
    assert verdict.accepted, [i.message for i in verdict.issues]
    frame = verdict.frame
    assert frame["region_code"].to_list() == list(schema.codelists["regions"].codes)
    assert frame["incident_type"].unique(maintain_order=True).to_list()[:3] == [
        "verbal",
        "threat_with_weapon",
        "physical_mild",
    ]
    assert set(frame["advance_warning"]) == {"yes", "no", "unknown"}


def test_the_workbook_template_is_the_same_bytes_every_time(schema, tmp_path):
    """Zip members are dated to two seconds: two writings that far apart must match."""
    first = write_templates(schema, "fi", tmp_path / "a")
    time.sleep(2)
    second = write_templates(schema, "fi", tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
