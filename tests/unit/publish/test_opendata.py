"""The open dataset passes `frictionless validate`, and the validation would catch a
broken package or an altered table."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import validate

from pipelines.publish.opendata import write_datapackage
from pipelines.publish.tables import PRIMARY_KEYS
from pipelines.publish.texts import Texts
from tests.unit.publish.conftest import YEAR

FRICTIONLESS = Path(sys.executable).with_name("frictionless")


@pytest.fixture
def package(tables, csv_paths, schema) -> Path:
    return write_datapackage(tables, csv_paths, schema, YEAR)


def errors(path: Path) -> list[str]:
    return [e[0] for e in validate(str(path)).flatten(["type"])]


def test_frictionless_validate_passes(package):
    report = validate(str(package))
    assert report.valid, report.flatten(["type", "note"])
    assert [task.name for task in report.tasks] == ["national", "regions", "breakdowns"]
    assert all(task.stats["rows"] for task in report.tasks)
    done = subprocess.run(
        [str(FRICTIONLESS), "validate", str(package)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_a_wrong_field_type_is_caught(package):
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    [regions] = [r for r in descriptor["resources"] if r["name"] == "regions"]
    [name] = [f for f in regions["schema"]["fields"] if f["name"] == "region_name"]
    name["type"] = "integer"
    package.write_text(json.dumps(descriptor), encoding="utf-8")
    assert "type-error" in errors(package)


def test_an_unknown_flag_or_an_altered_table_is_caught(package, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(package.parent, copy)
    regions = copy / "regions.csv"
    regions.write_text(regions.read_text().replace(",unreliable", ",dubious"))
    assert {"hash-count", "constraint-error"} <= set(errors(copy / "datapackage.json"))


def test_every_text_is_in_three_languages_and_keys_are_declared(package, tables):
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["title"] == Texts("fi")("open_title", year=YEAR)
    assert descriptor["x-translations"]["en"]["title"] == Texts("en")("open_title", year=YEAR)
    for resource in descriptor["resources"]:
        header, _ = tables[resource["name"]]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert resource["schema"]["primaryKey"] == list(PRIMARY_KEYS[resource["name"]])
        for described in [resource, *fields]:
            assert described["description"]
            assert set(described["x-translations"]) == {"sv", "en"}
            assert all(t["description"] for t in described["x-translations"].values())
