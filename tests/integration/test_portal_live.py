"""The portal on its production server: 22 regions uploading at once, in SQLite and in
a real PostgreSQL server, and the pipeline taking what the portal received."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests

from pipelines.contract.schema import load_schema
from tests.conftest import FIXTURES
from tests.integration.portal import EVSTATS, post_file, running_portal

REGIONS = list(load_schema().codelists["regions"].codes)
GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()


def incidents_of(region: str) -> bytes:
    """Region 05's fixture incidents as another region's; region 13 gets an unknown code."""
    data = GOOD.replace(b",05,", f",{region},".encode()).replace(b"\n05-", f"\n{region}-".encode())
    if region == "13":
        data = data.replace(b",verbal,", b",shouting,", 1)
    return data


def upload(url: str, token: str, region: str) -> requests.Response:
    return post_file(url, token, f"alue{region}.csv", incidents_of(region))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_22_regions_upload_at_once_and_nothing_is_lost(database, tmp_path, request):
    url_of_db = request.getfixturevalue("postgresql_database") if database == "postgresql" else None
    with running_portal(tmp_path, REGIONS, url_of_db) as portal:
        with ThreadPoolExecutor(len(REGIONS)) as pool:
            answers = dict(
                zip(
                    REGIONS,
                    pool.map(lambda r: upload(portal.url, portal.tokens[r], r), REGIONS),
                    strict=True,
                )
            )
        assert {r: a.status_code for r, a in answers.items()} == dict.fromkeys(REGIONS, 201)
        bodies = {r: a.json() for r, a in answers.items()}
        assert {r: b["region_code"] for r, b in bodies.items()} == {r: r for r in REGIONS}
        assert {r for r, b in bodies.items() if not b["accepted"]} == {"13"}
        assert [(i["row"], i["column"]) for i in bodies["13"]["issues"]] == [(2, "incident_type")]
        for region in REGIONS:
            listed = requests.get(
                f"{portal.url}/api/v1/submissions?year=2023",
                headers={"Authorization": f"Bearer {portal.tokens[region]}"},
                timeout=10,
            ).json()["submissions"]
            assert [s["sha256"] for s in listed] == [bodies[region]["sha256"]]
        stored = sorted((tmp_path / "archive" / "2023").glob("*/*.csv"))  # before receipts
        assert [p.parent.name for p in stored] == REGIONS
        assert all(p.read_bytes() == incidents_of(p.parent.name) for p in stored)
        assert "Traceback" not in portal.log.read_text()
    if url_of_db:
        with psycopg.connect(url_of_db) as con:
            count = con.execute(
                "SELECT count(*) FROM portal_submission WHERE year = 2023"
            ).fetchone()
            hashes = con.execute("SELECT count(*) FROM portal_apitoken").fetchone()
        assert count == (22,) and hashes == (22,)


def test_the_pipeline_takes_what_the_portal_received_and_the_portal_shows_it(tmp_path: Path):
    with running_portal(tmp_path, ["05", "06"]) as portal:
        token = portal.tokens["05"]
        missions = (FIXTURES / "inbox/2023/05/missions.csv").read_bytes()
        for name, data in (("tilanteet.csv", GOOD), ("tehtavat.csv", missions)):
            answer = post_file(portal.url, token, name, data)
            assert answer.status_code == 201 and answer.json()["in_force"] is None
        ran = subprocess.run(
            [str(EVSTATS), "run", "--year", "2023"], env=portal.env, capture_output=True, text=True
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        listed = requests.get(
            f"{portal.url}/api/v1/submissions?year=2023",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()["submissions"]
        assert sorted((s["kind"], s["state"], s["in_force"]) for s in listed) == [
            ("incidents", "in_force", True),
            ("missions", "in_force", True),
        ]
        national = (tmp_path / "reports/2023/tables/national.csv").read_text()
        assert "20" in national
