"""Released years for the tests that read only what was released (the readers' site),
made through the real path: files sent with `evstats submit`, the analyst's sign-off in
the register (each plausibility warning explained first, as the portal requires), then
`evstats release`, whose run writes `releases/<year>/v<n>/`.

2022 is the demo's year (22 areas); 2023 is the hand-counted fixture year
(tests/fixtures/README.md: 6 areas, region 01's 2 incidents and, by secondary
suppression, region 90's 4 hidden), released twice: v2 corrects region 05's January
missions from 2,000 to 2,600, as tests/integration/test_release.py does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.cli import main
from tests.conftest import FIXTURES

CORRECTION = "Korjaus: alueen 05 tammikuun tehtävät"
DATES = {(2022, 1): "2023-03-15", (2023, 1): "2024-03-14", (2023, 2): "2024-04-02"}


def submit_folder(root: Path, folder: Path, year: int) -> None:
    """Every file of `<folder>/<year>/<region>/` sent for its region, oldest name first."""
    for region in sorted(p for p in (folder / str(year)).iterdir() if p.is_dir()):
        for path in sorted(region.glob("*.csv")):
            args = ["submit", str(path), "--region", region.name, "--year", str(year)]
            assert main([*args, "--data-dir", str(root)]) in (0, 1)  # 1: a rejected file


def sign_off(root: Path, year: int) -> None:
    """The analyst accepts every region with data in force that awaits review, once
    each warning is explained (the reason only: its free text stays in the register)."""
    from pipelines.register.db import connect
    from pipelines.settings import Settings

    db = connect(Settings(data_dir=str(root)))
    from pipelines.contract.schema import load_schema
    from pipelines.register.lifecycle import ACCEPTED, RELEASED
    from pipelines.register.receipts import in_force
    from pipelines.register.review import decide, explain, states, warnings_to_explain

    schema = load_schema()
    rules = set(schema.plausibility)
    reasons = set(schema.codelists["explanation_reasons"].codes)
    state = states(year, db)
    for region, files in sorted(in_force(year, db).items()):
        if state.get(region) in (ACCEPTED, RELEASED):
            continue
        for sub in files.values():
            for w in warnings_to_explain(sub, rules):
                explain(sub, w["rule"], w["row"], "real_change", "", None, reasons, rules, db)
        decide(region, year, "accepted", "", None, rules, db)


def release(root: Path, year: int, number: int, note: str = "") -> None:
    day = DATES[year, number]
    args = ["release", "--year", str(year), "--date", day, "--data-dir", str(root)]
    assert main([*args, "--note", note] if note else args) == 0
    assert (root / "releases" / str(year) / f"v{number}" / "manifest.json").is_file()


def make_releases(root: Path) -> Path:
    """2022 v1, 2023 v1 and 2023 v2 under `root/releases`; returns that folder."""
    from pipelines.contract.demo import write_demo
    from pipelines.contract.schema import load_schema

    sent = root / "sent"
    write_demo(sent, load_schema(), [2022])
    shutil.copytree(FIXTURES / "inbox" / "2023", sent / "2023")
    for year in (2022, 2023):
        submit_folder(root, sent, year)
        sign_off(root, year)
        release(root, year, 1)
    correction = sent / "correction" / "2023" / "05"
    correction.mkdir(parents=True)
    missions = (sent / "2023" / "05" / "missions.csv").read_text(encoding="utf-8")
    (correction / "missions_korjattu.csv").write_text(
        missions.replace("05,2023,1,2000", "05,2023,1,2600"), encoding="utf-8"
    )
    submit_folder(root, sent / "correction", 2023)
    sign_off(root, 2023)
    release(root, 2023, 2, CORRECTION)
    return root / "releases"
