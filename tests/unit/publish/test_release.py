"""Releases: numbering, the revisions diff on hand-written tables, hashes, and a release
that is written whole or not at all."""

import hashlib
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelines.publish.release import (
    MANIFEST,
    Release,
    file_hashes,
    input_entry,
    next_number,
    read_manifests,
    revisions,
    revisions_csv,
    write_release,
)
from pipelines.publish.tables import REGION_COLUMNS
from pipelines.publish.texts import Texts
from pipelines.publish.view import release_texts

HEADER = ",".join(REGION_COLUMNS) + "\n"
REGIONS_V1 = (
    HEADER
    + """2023,01,Uusimaa,5,6000,0.8333,1200.0,unreliable
2023,05,Varsinais-Suomi,20,24000,0.8333,1200.0,
2023,07,Satakunta,0,12000,0.0000,,unreliable
"""
)
# 05's missions corrected; 01 falls to 2 incidents and is hidden; 07 withdrawn; 09 new.
REGIONS_V2 = (
    HEADER
    + """2023,01,Uusimaa,,6000,,,suppressed
2023,05,Varsinais-Suomi,20,24600,0.8130,1230.0,
2023,09,Kymenlaakso,0,500,0.0000,,unreliable
"""
)
NATIONAL = "year,incidents\n2023,25\n"


def tables(root: Path, regions: str, national: str = NATIONAL) -> Path:
    root.mkdir(parents=True)
    (root / "regions.csv").write_text(regions, encoding="utf-8")
    (root / "national.csv").write_text(national, encoding="utf-8")
    return root


def test_every_published_cell_that_changed_is_listed_as_published(tmp_path):
    old = tables(tmp_path / "old", REGIONS_V1)
    new = tables(tmp_path / "new", REGIONS_V2, "year,incidents\n2023,22\n")
    rows = [
        (r["table"], r["keys"], r["column"], r["old"], r["new"], r["change"])
        for r in revisions(old, new, "Korjaus")
    ]
    k01, k05, k07, k09 = (f"year=2023;region_code={c}" for c in ("01", "05", "07", "09"))
    assert rows == [
        ("national", "year=2023", "incidents", "25", "22", "changed"),
        ("regions", k01, "incidents", "5", "", "changed"),
        ("regions", k01, "incidents_per_1000_missions", "0.8333", "", "changed"),
        ("regions", k01, "missions_per_incident", "1200.0", "", "changed"),
        ("regions", k01, "flag", "unreliable", "suppressed", "changed"),
        ("regions", k05, "missions", "24000", "24600", "changed"),
        ("regions", k05, "incidents_per_1000_missions", "0.8333", "0.8130", "changed"),
        ("regions", k05, "missions_per_incident", "1200.0", "1230.0", "changed"),
        ("regions", k07, "region_name", "Satakunta", "", "removed"),
        ("regions", k07, "incidents", "0", "", "removed"),
        ("regions", k07, "missions", "12000", "", "removed"),
        ("regions", k07, "incidents_per_1000_missions", "0.0000", "", "removed"),
        ("regions", k07, "missions_per_incident", "", "", "removed"),
        ("regions", k07, "flag", "unreliable", "", "removed"),
        ("regions", k09, "region_name", "", "Kymenlaakso", "added"),
        ("regions", k09, "incidents", "", "0", "added"),
        ("regions", k09, "missions", "", "500", "added"),
        ("regions", k09, "incidents_per_1000_missions", "", "0.0000", "added"),
        ("regions", k09, "missions_per_incident", "", "", "added"),
        ("regions", k09, "flag", "", "unreliable", "added"),
    ]
    assert revisions(old, old, "") == []


def test_revisions_csv_carries_the_reason_on_every_row():
    text = revisions_csv(
        [
            {
                "table": "national",
                "keys": "year=2023",
                "column": "incidents",
                "old": "25",
                "new": "22",
                "change": "changed",
                "reason": "Korjaus, alue 05",
            }
        ]
    )
    assert text == (
        "table,keys,column,old,new,change,reason\n"
        'national,year=2023,incidents,25,22,changed,"Korjaus, alue 05"\n'
    )


def test_the_next_release_follows_the_highest_and_ignores_unfinished_ones(tmp_path):
    assert next_number(tmp_path / "none") == 1
    for name in ("v1", "v2", "v10", ".v11.tmp", "vx"):
        (tmp_path / name).mkdir()
    (tmp_path / "v12").write_text("not a release")
    assert next_number(tmp_path) == 11


def test_file_hashes_are_the_sha256_of_each_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_bytes(b"abc")
    (tmp_path / "y.txt").write_bytes(b"")
    assert file_hashes(tmp_path) == [
        {
            "path": "a/x.csv",
            "bytes": 3,
            "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        },
        {
            "path": "y.txt",
            "bytes": 0,
            "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        },
    ]


def year_with_one_input(root: Path, content: bytes = b"region_code,year,month,missions\n"):
    """A published year and its one archived file in force, as the register names it."""
    sha = hashlib.sha256(content).hexdigest()
    archived = root / "archive" / "2023" / "05" / f"{sha}_missions.csv"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(content)
    reports = tables(root / "reports" / "2023" / "tables", REGIONS_V1).parent
    entry = input_entry("05", "missions", 3, "missions.csv", "2025-01-02T10:00:00Z", sha, archived)
    return reports, [entry], sha


def test_a_release_holds_outputs_inputs_and_their_hashes(tmp_path):
    reports, inputs, sha = year_with_one_input(tmp_path)
    year_dir = tmp_path / "releases" / "2023"
    v1 = write_release(
        year_dir, Release(1, date(2025, 3, 15), "Ensijulkaisu"), 2023, reports, inputs, "9.9", {}
    )
    manifest = json.loads((v1 / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["inputs"] == [
        {
            "region_code": "05",
            "kind": "missions",
            "submission_id": 3,
            "file_name": "missions.csv",
            "received_at": "2025-01-02T10:00:00Z",
            "sha256": sha,
            "path": f"inputs/05/{sha}_missions.csv",
        }
    ]
    assert hashlib.sha256((v1 / manifest["inputs"][0]["path"]).read_bytes()).hexdigest() == sha
    assert [o["path"] for o in manifest["outputs"]] == [
        "outputs/tables/national.csv",
        "outputs/tables/regions.csv",
    ]
    for output in manifest["outputs"]:
        assert hashlib.sha256((v1 / output["path"]).read_bytes()).hexdigest() == output["sha256"]
    assert (manifest["release"], manifest["date"], manifest["tool_version"]) == (
        1,
        "2025-03-15",
        "9.9",
    )
    with pytest.raises(ValueError, match="never overwritten"):
        write_release(year_dir, Release(1, date(2025, 3, 16)), 2023, reports, inputs, "9.9", {})

    (reports / "tables" / "regions.csv").write_text(REGIONS_V2, encoding="utf-8")
    v2 = write_release(
        year_dir, Release(2, date(2025, 4, 1), "Korjaus"), 2023, reports, inputs, "9.9", {}
    )
    assert [m["revised_cells"] for m in read_manifests(year_dir)] == [0, 19]
    assert (v2 / "revisions.csv").read_text(encoding="utf-8").count("\n") == 20
    assert "revisions.csv" in [
        o["path"] for o in json.loads((v2 / MANIFEST).read_text())["outputs"]
    ]


def test_a_failed_release_leaves_nothing(tmp_path):
    reports, inputs, _ = year_with_one_input(tmp_path)
    inputs[0]["sha256"] = "0" * 64  # the archive does not hold what the receipt names
    year_dir = tmp_path / "releases" / "2023"
    with pytest.raises(ValueError, match="not the file"):
        write_release(year_dir, Release(1, date(2025, 3, 15)), 2023, reports, inputs, "9.9", {})
    assert list(year_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("lang", "label", "note"),
    [
        (
            "fi",
            "Julkaisu v2, 1.4.2025",
            "Tämä julkaisu korjaa julkaisua v1: 6 julkaistua arvoa muuttui. Muuttuneet arvot "
            "ovat tiedostossa revisions.csv. Syy: Korjaus.",
        ),
        (
            "sv",
            "Publicering v2, 1.4.2025",
            "Denna publicering reviderar publicering v1: 6 publicerade värden ändrades. De "
            "ändrade värdena finns i filen revisions.csv. Orsak: Korjaus.",
        ),
        (
            "en",
            "Release v2, 2025-04-01",
            "This release revises release v1: 6 published values changed. The changed values "
            "are listed in revisions.csv. Reason: Korjaus.",
        ),
    ],
)
def test_the_report_says_which_release_it_is_and_what_was_revised(lang, label, note):
    data = SimpleNamespace(release=Release(2, date(2025, 4, 1), "Korjaus", 6))
    assert release_texts(data, Texts(lang)) == (label, note)


def test_one_revised_value_is_told_in_the_singular_and_v1_has_no_revision_note():
    one = SimpleNamespace(release=Release(3, date(2025, 5, 2), "", 1))
    assert release_texts(one, Texts("en"))[1] == (
        "This release revises release v2: 1 published value changed. "
        "The changed values are listed in revisions.csv."
    )
    first = SimpleNamespace(release=Release(1, date(2025, 3, 15)))
    assert release_texts(first, Texts("fi")) == ("Julkaisu v1, 15.3.2025", "")
    assert release_texts(SimpleNamespace(release=None), Texts("fi")) == ("", "")
