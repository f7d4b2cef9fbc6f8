"""The service on its own: files uploaded through the portal start runs through the
daemon's sensor, one warehouse writer at a time, with nothing typed; killing the
daemon loses nothing; and the PostgreSQL deployment keeps runs and receipts there."""

from __future__ import annotations

import contextlib
import os
import signal

import psycopg
import requests
from dagster import DagsterInstance, DagsterRunStatus

from tests.conftest import FIXTURES
from tests.integration.daemon import (
    ROOT,
    finished,
    instance_home,
    running_daemon,
    runs,
    wait_for,
)
from tests.integration.portal import post_file, running_portal

GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()
MISSIONS = (FIXTURES / "inbox/2023/05/missions.csv").read_bytes()


def send(portal, name: str, data: bytes) -> dict:
    answer = post_file(portal.url, portal.tokens["05"], name, data)
    assert answer.status_code == 201, answer.text
    return answer.json()


def published(portal, sha256s: set[str]) -> bool:
    """Whether a run has published these files, as the API tells region 05."""
    listed = requests.get(
        f"{portal.url}/api/v1/submissions?year=2023",
        headers={"Authorization": f"Bearer {portal.tokens['05']}"},
        timeout=10,
    ).json()["submissions"]
    return sha256s <= {s["sha256"] for s in listed if s["in_force"]}


def test_two_quick_uploads_run_one_after_the_other_on_postgresql(tmp_path, postgresql_database):
    """Runs, sensor state and receipts in one real PostgreSQL server (deploy/dagster.yaml)."""
    home = instance_home(tmp_path / "dagster_home", ROOT / "deploy" / "dagster.yaml")
    with running_portal(tmp_path / "data", ["05"], postgresql_database) as portal:
        dagster_url = postgresql_database.replace("postgresql://", "postgresql+psycopg2://")
        env = {**portal.env, "DAGSTER_HOME": str(home), "DAGSTER_POSTGRES_URL": dagster_url}
        log = tmp_path / "daemon.log"
        with running_daemon(env, log):
            first = send(portal, "tilanteet.csv", GOOD)
            os.environ["DAGSTER_POSTGRES_URL"] = dagster_url
            instance = DagsterInstance.from_config(str(home))
            wait_for(
                "the first run has published the first file and still runs (its report)",
                lambda: (
                    published(portal, {first["sha256"]})
                    and [
                        r
                        for r in runs(instance)
                        if r.dagster_run.status == DagsterRunStatus.STARTED
                    ]
                ),
                180,
                log,
                instance,
            )
            # While that run goes on, the second file asks for a run that must wait its turn
            # (a file that came before the run loaded its year would have gone with it).
            second = send(portal, "tehtavat.csv", MISSIONS)
            done = wait_for("two runs finished", lambda: finished(instance, 2), 300, log, instance)
        statuses = [r.dagster_run.status for r in done]
        assert statuses == [DagsterRunStatus.SUCCESS, DagsterRunStatus.SUCCESS]
        assert done[0].end_time <= done[1].start_time  # one writer at a time
        assert [r.dagster_run.tags["dagster/partition"] for r in done] == ["2023", "2023"]
        assert published(portal, {first["sha256"], second["sha256"]})
    with psycopg.connect(postgresql_database) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM portal_submission").fetchone() == (2,)


def test_killing_the_daemon_mid_run_loses_no_upload(tmp_path):
    home = instance_home(tmp_path / "dagster_home", ROOT / "config" / "dagster.yaml")
    with running_portal(tmp_path / "data", ["05"]) as portal:
        env = {**portal.env, "DAGSTER_HOME": str(home)}
        log = tmp_path / "daemon.log"
        instance = DagsterInstance.from_config(str(home))
        with running_daemon(env, log) as daemon:
            first = send(portal, "tilanteet.csv", GOOD)
            wait_for(
                "a run in progress",
                lambda: [
                    r for r in runs(instance) if r.dagster_run.status == DagsterRunStatus.STARTED
                ],
                180,
                log,
                instance,
            )
            os.kill(daemon.pid, signal.SIGKILL)  # the daemon alone, at once
            daemon.wait()
        second = send(portal, "tehtavat.csv", MISSIONS)  # arrives while nothing watches
        with running_daemon(env, log):
            wait_for(
                "both files registered and the last run a success",
                lambda: (
                    published(portal, {first["sha256"], second["sha256"]})
                    and finished(instance, 1)
                    and runs(instance)[-1].dagster_run.status == DagsterRunStatus.SUCCESS
                ),
                400,
                log,
                instance,
            )
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)  # what the killed daemon had started
        national = (portal.data_dir / "reports/2023/tables/national.csv").read_text()
        assert national.splitlines()[1]


def test_the_analysts_release_request_is_carried_out_by_the_daemon(tmp_path):
    """The analyst's release request in the register: the sensor asks for a run made for
    v1, and the run's release step writes it, with nothing typed."""
    import shutil
    import subprocess

    from tests.integration.daemon import DAEMON
    from tests.integration.portal import environment

    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(FIXTURES / "inbox", data / "inbox")
    env = {**environment(data, None), "DAGSTER_HOME": str(
        instance_home(tmp_path / "home", ROOT / "config" / "dagster.yaml"))}  # fmt: skip
    evstats = DAEMON.parent / "evstats"
    assert subprocess.run([str(evstats), "run", "--year", "2023"], env=env).returncode == 0
    from datetime import date

    from pipelines.register.db import connect
    from pipelines.settings import Settings

    db = connect(Settings(data_dir=str(data)))
    from pipelines.register.models import Release
    from pipelines.register.receipts import in_force
    from pipelines.register.releases import request_release
    from pipelines.register.review import decide

    for region in in_force(2023, db):
        decide(region, 2023, "accepted", "", None, set(), db)
    asked = request_release(2023, "", date(2025, 3, 15), 0, db=db)
    log = tmp_path / "daemon.log"
    with running_daemon(env, log):
        wait_for(
            "release v1 made",
            lambda: Release.objects.using(db).get(id=asked.id).state == Release.RELEASED,
            300,
            log,
        )
    assert (data / "releases" / "2023" / "v1" / "manifest.json").exists()
    report = (data / "releases/2023/v1/outputs/report.html").read_text(encoding="utf-8")
    assert "Julkaisu v1, 15.3.2025" in report
