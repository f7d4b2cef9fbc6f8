from pipelines.publish.tables import csv_value, safe_cell, write_csv


def test_formula_like_text_is_neutralised_but_numbers_are_not():
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+358") == "'+358"
    assert safe_cell("-1") == "-1"
    assert safe_cell("0.5705") == "0.5705"
    assert safe_cell("verbal") == "verbal"


def test_fixed_decimals_and_empty_for_missing():
    assert csv_value("incidents_per_1000_missions", 0.57046) == "0.5705"
    assert csv_value("missions_per_incident", 1753) == "1753.0"
    assert csv_value("percent", None) == ""
    assert csv_value("incidents", 22) == "22"


def test_csv_is_utf8_with_lf_and_no_bom(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(path, ["a", "b"], [{"a": "ä", "b": "=1+1"}])
    assert path.read_bytes() == "a,b\nä,'=1+1\n".encode()
    assert not list(tmp_path.glob("*.tmp"))
