"""`evstats release` on the hand-counted fixture year: v1, then a corrected missions file
for region 05 and v2, whose revisions are counted by hand in the test."""

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipelines.cli import main
from tests.conftest import FIXTURES


def hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# Region 05's January missions corrected from 2,000 to 2,600: 24,000 → 24,600 missions,
# the nation's 75,000 → 75,600 with 26 incidents. Rates per 1,000 missions: 05
# 20 000 / 24 000 = 0.8333 → 20 000 / 24 600 = 0.8130; nation 26 000 / 75 000 = 0.3467 →
# 26 000 / 75 600 = 0.3439. Missions per incident: 05 1,200.0 → 1,230.0; nation
# 2,884.6 → 2,907.7. No flag changes (05 keeps 20 incidents), no breakdown changes
# (percentages are of incidents).
EXPECTED_REVISIONS = """table,keys,column,old,new,change,reason
national,year=2023,missions,75000,75600,changed,Korjaus
national,year=2023,incidents_per_1000_missions,0.3467,0.3439,changed,Korjaus
national,year=2023,missions_per_incident,2884.6,2907.7,changed,Korjaus
regions,year=2023;region_code=05,missions,24000,24600,changed,Korjaus
regions,year=2023;region_code=05,incidents_per_1000_missions,0.8333,0.8130,changed,Korjaus
regions,year=2023;region_code=05,missions_per_incident,1200.0,1230.0,changed,Korjaus
"""


def signed_off(root: Path, regions: list[str]) -> None:
    """The analyst's sign-off in the register (as the portal records it): these regions'
    2023 accepted."""
    from pipelines.register.db import connect
    from pipelines.settings import Settings

    db = connect(Settings(data_dir=str(root)))
    from pipelines.register.review import decide

    for region in regions:
        decide(region, 2023, "accepted", "", None, set(), db)


def region_states(root: Path) -> dict[str, str]:
    from pipelines.register.db import connect
    from pipelines.settings import Settings

    db = connect(Settings(data_dir=str(root)))
    from pipelines.register.review import states

    return states(2023, db)


def test_a_year_is_released_only_when_every_region_in_force_is_accepted(tmp_path, capsys):
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    data = ["--data-dir", str(tmp_path)]
    assert main(["run", "--year", "2023", *data]) == 0  # the folder's files received
    signed_off(tmp_path, ["01", "05", "06", "07", "20"])  # 90 not yet accepted
    assert main(["release", "--year", "2023", *data]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "evstats release: alueiden 90 voimassa olevia tietoja analyytikko ei ole hyväksynyt "
        "(analyytikko hyväksyy kunkin alueen vuoden portaalissa); mitään ei julkaistu"
    )
    assert main(["--lang", "en", "release", "--year", "2023", *data]) == 1
    assert "regions 90 have data in force not accepted" in capsys.readouterr().err
    assert not (tmp_path / "releases" / "2023" / "v1").exists()


def test_release_v1_then_a_correction_as_v2(tmp_path, capsys):
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    data = ["--data-dir", str(tmp_path)]
    assert main(["run", "--year", "2023", *data]) == 0
    signed_off(tmp_path, ["01", "05", "06", "07", "20", "90"])
    assert main(["release", "--year", "2023", "--date", "2025-03-15", *data]) == 0
    assert set(region_states(tmp_path).values()) == {"released"}
    v1 = tmp_path / "releases" / "2023" / "v1"
    manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["release"], manifest["date"], manifest["previous"]) == (1, "2025-03-15", None)
    # 22 areas, data in force from six (fixture README): the other 16 are named missing.
    assert len(manifest["missing_regions"]) == 16 and "02" in manifest["missing_regions"]
    assert manifest["settings"]["suppression_threshold"] == 3
    listed = {f["path"]: f["sha256"] for f in manifest["outputs"] + manifest["inputs"]}
    assert listed == {k: v for k, v in hashes(v1).items() if k != "manifest.json"}
    # Every input in force (06's incidents were rejected; 20 sent no incidents), frozen as sent.
    frozen = {(i["region_code"], i["kind"]): i for i in manifest["inputs"]}
    assert sorted(frozen) == [
        ("01", "incidents"),
        ("01", "missions"),
        ("05", "incidents"),
        ("05", "missions"),
        ("06", "missions"),
        ("07", "incidents"),
        ("07", "missions"),
        ("20", "missions"),
        ("90", "incidents"),
        ("90", "missions"),
    ]
    for (region, kind), i in frozen.items():
        sent = (FIXTURES / "inbox" / "2023" / region / f"{kind}.csv").read_bytes()
        assert (v1 / i["path"]).read_bytes() == sent
    outputs = {f["path"] for f in manifest["outputs"]}
    for name in (
        "tables/national.csv",
        "tables/datapackage.json",
        "px/regions.px",
        "report.html",
        "report.sv.pdf",
        "report.en.html",
        "tables.xlsx",
        "charts/fi/regions.svg",
    ):
        assert f"outputs/{name}" in outputs
    page = (v1 / "outputs" / "report.html").read_text(encoding="utf-8")
    assert '<div class="meta">Julkaisu v1, 15.3.2025</div>' in page
    assert 'class="revision"' not in page
    before = hashes(v1)

    corrected = (FIXTURES / "inbox" / "2023" / "05" / "missions.csv").read_text(encoding="utf-8")
    resubmission = tmp_path / "inbox" / "2023" / "05" / "missions_korjattu.csv"
    resubmission.write_text(corrected.replace("05,2023,1,2000", "05,2023,1,2600"), "utf-8")
    later = (tmp_path / "inbox" / "2023" / "05" / "missions.csv").stat().st_mtime + 60
    os.utime(resubmission, (later, later))
    args = ["release", "--year", "2023", "--note", "Korjaus", "--date", "2025-04-01", *data]
    # The correction arrives in the release's own run: region 05 awaits review again, and
    # the release step refuses.
    capsys.readouterr()
    assert main(args) == 1
    assert "regions 05 await review" in capsys.readouterr().err
    assert not v1.with_name("v2").exists()
    assert region_states(tmp_path)["05"] == "awaiting_review"
    signed_off(tmp_path, ["05"])
    assert main(args) == 0
    v2 = v1.with_name("v2")
    assert (v2 / "revisions.csv").read_text(encoding="utf-8") == EXPECTED_REVISIONS
    assert hashes(v1) == before
    manifest = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["revised_cells"], manifest["note"], manifest["previous"]) == (
        6,
        "Korjaus",
        "v1",
    )
    assert any(i["file_name"] == "missions_korjattu.csv" for i in manifest["inputs"])
    note = (
        "Tämä julkaisu korjaa julkaisua v1: 6 julkaistua arvoa muuttui. Muuttuneet arvot ovat "
        "tiedostossa revisions.csv. Syy: Korjaus."
    )
    page = (v2 / "outputs" / "report.html").read_text(encoding="utf-8")
    assert '<div class="meta">Julkaisu v2, 1.4.2025</div>' in page
    assert f'<p class="revision">{note}</p>' in page
    assert "Release v2, 2025-04-01" in (v2 / "outputs" / "report.en.html").read_text("utf-8")
    first_page = " ".join(
        PdfReader(v2 / "outputs" / "report.sv.pdf").pages[0].extract_text().split()
    )
    assert "Publicering v2, 1.4.2025" in first_page
    assert "6 publicerade värden ändrades" in first_page
    meta = load_workbook(v2 / "outputs" / "tables.xlsx")["Metatiedot"]
    assert [r[:2] for r in meta.iter_rows(values_only=True)][:2] == [
        ("Julkaisu", "Julkaisu v2, 1.4.2025"),
        ("Korjaukset", note),
    ]

    capsys.readouterr()
    assert main(["releases", "--year", "2023", *data]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "julkaisu  päivä       korjatut arvot  syy",
        "v1        2025-03-15  0",
        "v2        2025-04-01  6               Korjaus",
    ]
    assert main(["--lang", "en", "releases", "--year", "2023", *data]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "release  date        revised cells  note",
        "v1       2025-03-15  0",
        "v2       2025-04-01  6              Korjaus",
    ]

    # A plain run names no release: its report is the one `evstats run` always wrote.
    assert main(["run", "--year", "2023", *data]) == 0
    plain = (tmp_path / "reports" / "2023" / "report.html").read_text(encoding="utf-8")
    assert "Julkaisu" not in plain
    release_lines = (
        f'  <div class="meta">Julkaisu v2, 1.4.2025</div>\n  <p class="revision">{note}</p>\n'
    )
    assert plain == page.replace(release_lines, "")


def test_a_failed_run_releases_nothing_and_closes_the_request(tmp_path, capsys, monkeypatch):
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    data = ["--data-dir", str(tmp_path)]
    assert main(["run", "--year", "2023", *data]) == 0
    signed_off(tmp_path, ["01", "05", "06", "07", "20", "90"])
    monkeypatch.setattr("pipelines.cli.release.run_year", lambda *args, **kwargs: False)
    assert main(["release", "--year", "2023", *data]) == 1
    assert "evstats release: vuoden 2023 julkaisua v1 ei tehty: ajo epäonnistui" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "releases").exists()
    from pipelines.register.db import connect
    from pipelines.register.models import Release
    from pipelines.settings import Settings

    db = connect(Settings(data_dir=str(tmp_path)))
    assert list(Release.objects.using(db).values_list("number", "state", "reason")) == [
        (1, "refused", "the run failed")
    ]
    monkeypatch.undo()
    # The request was closed: asked again, the same number is made.
    assert main(["release", "--year", "2023", "--date", "2025-03-15", *data]) == 0
    assert sorted(p.name for p in (tmp_path / "releases" / "2023").iterdir()) == ["v1"]


def test_a_release_date_must_be_a_date(capsys, monkeypatch):
    monkeypatch.setenv("EVSTATS_LANG", "en")
    with pytest.raises(SystemExit) as exit_:
        main(["release", "--year", "2023", "--date", "15.3.2025"])
    assert exit_.value.code == 2
    assert "'15.3.2025' is not a date written as 2025-03-15" in capsys.readouterr().err
