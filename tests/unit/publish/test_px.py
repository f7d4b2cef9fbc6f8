"""PX files read back by a real PX reader (pyaxis) equal the CSV tables cell for cell, in
each of their three languages; hidden counts read as PX's missing-value symbols."""

import csv
import math
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from pyaxis import pyaxis

from pipelines.contract.schema import Schema
from pipelines.publish.opendata import write_datapackage
from pipelines.publish.px import WIDTH, _quote, _text, data_as_of, write_px
from pipelines.publish.tables import (
    HIDDEN_COLUMNS,
    NATIONAL_COLUMNS,
    Disclosure,
    write_tables,
)
from pipelines.publish.texts import Texts
from tests.unit.publish.conftest import YEAR, Tables, national

CREATED = datetime(2024, 3, 28, 14, 5, 31)
LANGS = ["fi", "sv", "en"]


def written(tables: Tables, schema: Schema, folder: Path) -> dict[str, Path]:
    return write_px(tables, schema, Disclosure(), YEAR, CREATED, folder)


def read(path: Path, lang: str) -> dict:
    return pyaxis.parse(str(path), encoding="utf-8", lang=lang)


def cells(parsed: dict) -> dict[tuple[str, str], object]:
    """(row code, column code) -> the value pyaxis read, through the file's own CODES."""
    meta, data = parsed["METADATA"], parsed["DATA"]
    [stub] = meta["STUB"]
    content = meta["CONTVARIABLE"][0]
    codes = {
        name: dict(zip(meta[f"VALUES({name})"], meta[f"CODES({name})"], strict=True))
        for name in (stub, content)
    }
    return {
        (codes[stub][r[stub]], codes[content][r[content]]): r["DATA"]
        for r in data.to_dict("records")
    }


def csv_cells(path: Path, table: str) -> dict[tuple[str, str], tuple[str, bool]]:
    """(row code, column) -> the CSV's text and whether the row's flag hides it."""
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    key = {"national": "year", "regions": "region_code"}.get(table)
    out = {}
    for r in rows:
        code = r[key] if key else f"{r['dimension']}.{r['category']}"
        for column in r:
            hidden = r.get("flag") == "suppressed" and column in HIDDEN_COLUMNS[table]
            out[code, column] = (r[column], hidden)
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("table", ["national", "regions", "breakdowns"])
def test_pyaxis_reads_the_csv_values_cell_for_cell(
    tables, schema, csv_paths, tmp_path, lang, table
):
    px = written(tables, schema, tmp_path / "px")
    read_back = cells(read(px[table], lang))
    expected = csv_cells(csv_paths[table], table)
    assert read_back  # every cell of the PX file is a CSV cell, and the reverse for figures
    assert {column for _, column in read_back} < {column for _, column in expected}
    for key, value in read_back.items():
        text, hidden = expected[key]
        if hidden:
            assert isinstance(value, float) and math.isnan(value), key  # PX's ".."
        elif text == "":
            assert value == "", key  # PX's "."
        else:
            assert value == text, key
    hidden_in_csv = {k for k, (_, hidden) in expected.items() if hidden}
    assert {k for k, v in read_back.items() if isinstance(v, float)} == hidden_in_csv


def test_a_hidden_national_count_is_a_missing_symbol_with_its_rates(schema, tmp_path):
    tables = {"national": (NATIONAL_COLUMNS, [national(incidents=None)])}
    paths = write_tables(tables, tmp_path / "tables")
    px = write_px(tables, schema, Disclosure(), YEAR, CREATED, tmp_path / "px")
    read_back = cells(read(px["national"], "fi"))
    assert {c for (_, c), v in read_back.items() if isinstance(v, float)} == set(
        HIDDEN_COLUMNS["national"]
    )
    assert read_back["2023", "missions"] == "75000"
    data = px["national"].read_text(encoding="utf-8").split("DATA=\n")[1]
    assert data == '".." 75000 ".." ".." 4\n;\n'
    assert paths["national"].read_text().splitlines()[1] == "2023,,75000,,,4"


@pytest.mark.parametrize("lang", LANGS)
def test_names_and_labels_come_from_the_code_lists_and_texts(tables, schema, tmp_path, lang):
    px = written(tables, schema, tmp_path)
    regions = schema.codelists["regions"]
    meta = read(px["regions"], lang)["METADATA"]
    t = Texts(lang)
    assert meta["LANGUAGE"] == [lang]
    assert meta["STUB"] == [regions.labels[lang]]
    assert meta["HEADING"] == [t("year"), t("px_contents_variable")]
    assert meta[f"VALUES({regions.labels[lang]})"] == [
        regions.label(c, lang) for c in regions.codes
    ]
    assert meta["TITLE"] == [t("px_title_regions", year=YEAR)]
    assert meta[f"UNITS({t('kf_rate')})"] == [t("unit_rate")]
    assert meta["SOURCE"] == [t("publisher")]
    kainuu = f"VALUENOTE({regions.labels[lang]},{regions.label('20', lang)})"
    assert meta[kainuu] == [t("flag_incidents_missing")]
    assert t("methods_symbols") in "".join(meta["NOTE"])  # pieces a line each, joined
    dimension = schema.contracts["incidents"].column("incident_type").labels[lang]
    category = schema.codelists["incident_type"].label("verbal", lang)
    values = read(px["breakdowns"], lang)["METADATA"][f"VALUES({t('px_category_variable')})"]
    assert values[0] == t("px_category_value", dimension=dimension, category=category)


def test_the_file_follows_the_px_specification(tables, schema, tmp_path):
    text = written(tables, schema, tmp_path)["regions"].read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[:6] == [
        'CHARSET="ANSI";',
        'AXIS-VERSION="2013";',
        'CODEPAGE="utf-8";',
        'LANGUAGE="fi";',
        'LANGUAGES="fi","sv","en";',
        'CREATION-DATE="20240328 14:05";',
    ]
    assert "DECIMALS=4;\nSHOWDECIMALS=0;\n" in text
    assert 'CONTVARIABLE="Tiedot";\nCONTVARIABLE[sv]="Uppgifter";\nCONTVARIABLE[en]=' in text
    assert 'PRECISION("Tiedot","Tilanteita / 1 000 tehtävää")=4;' in text
    assert 'PRECISION("Tiedot","Tehtäviä / tilanne")=1;' in text
    assert 'DATASYMBOL1=".";\nDATASYMBOL2="..";\nDATA=\n' in text
    assert text.endswith('".." 33000 ".." ".."\n;\n')
    assert max(len(line) for line in lines) < 256
    order = [line.split("=")[0].split("[")[0].split("(")[0] for line in lines if "=" in line]
    keywords = list(dict.fromkeys(k for k in order if k.isupper() or "-" in k))
    assert keywords.index("MATRIX") < keywords.index("TITLE") < keywords.index("STUB")
    assert keywords[-1] == "DATA"
    assert "\r" not in text and not text.startswith("\ufeff")


def test_same_inputs_give_the_same_bytes(tables, schema, csv_paths, tmp_path):
    first = written(tables, schema, tmp_path / "a")
    again = written(tables, schema, tmp_path / "b")
    for name, path in first.items():
        assert path.read_bytes() == again[name].read_bytes(), name
    package = write_datapackage(tables, csv_paths, schema, YEAR).read_bytes()
    assert write_datapackage(tables, csv_paths, schema, YEAR).read_bytes() == package
    assert not list(tmp_path.rglob("*.tmp"))


def test_long_texts_are_split_where_readers_join_them_and_quotes_refused():
    text = "sana " * 100
    pieces = _text(text.strip()).split("\n")
    assert all(len(p) <= WIDTH + 2 and p[1] != " " and p[-2] != " " for p in pieces)
    assert "".join(p[1:-1] for p in pieces) == text.strip()
    with pytest.raises(ValueError, match="double quote"):
        _quote('a "quoted" word')


def test_creation_date_is_when_the_newest_file_in_force_arrived():
    con = duckdb.connect()
    con.execute("CREATE TABLE submissions_in_force (year INTEGER, received_at TIMESTAMP)")
    con.execute(
        "INSERT INTO submissions_in_force VALUES "
        "(2023, '2024-03-01 08:00'), (2023, '2024-03-28 14:05:31'), (2024, '2025-01-01')"
    )
    assert data_as_of(con, 2023) == CREATED
    assert data_as_of(con, 2022) is None
