"""A process killed at any step leaves register, archive and warehouse in agreement:
receipt and file, the load of a run, and the writing of a release."""

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.register.db import connect
from pipelines.settings import Settings
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
INCIDENTS_05 = FIXTURES / "inbox" / "2023" / "05" / "incidents.csv"


def run(settings: Settings, config: dict | None = None) -> bool:
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    result = job.execute_in_process(
        partition_key="2023", raise_on_error=False, run_config=config or {}
    )
    return result.success


def killed(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run `script` in a process of its own, which kills itself with SIGKILL where the
    script says: as an operator's kill -9 or the OOM killer would."""
    env_script = "import os, signal, sys\nKILL = lambda: os.kill(os.getpid(), signal.SIGKILL)\n"
    return subprocess.run(
        [sys.executable, "-c", env_script + textwrap.dedent(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def incidents(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT region_code, incident_id, incident_date FROM incidents ORDER BY ALL"
        ).fetchall()


def receipts(settings: Settings) -> list[tuple]:
    from pipelines.register.models import Submission

    db = connect(settings)
    return list(
        Submission.objects.using(db)
        .order_by("region_code", "seq")
        .values_list("region_code", "seq", "kind", "state")
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    settings = Settings(data_dir=str(tmp_path), report_languages=("fi",))
    assert run(settings)
    assert len(incidents(settings.warehouse)) == 26
    return settings


# Region 05 sends its incidents again without the last row, on the command line.
RECEIVE = """
from pipelines.contract.schema import load_schema
from pipelines.register.db import connect
from pipelines.settings import Settings
from pipelines.validate.receipt import judge, judged

settings = Settings(data_dir=sys.argv[1], report_languages=("fi",))
db = connect(settings)
from pipelines.register import receipts
from pipelines.register.models import Submission

data = open(sys.argv[2], "rb").read()
data = data[: data.rstrip().rindex(b"\\n") + 1]
schema = load_schema()
verdict = judge("incidents.csv", data, "05", 2023, schema, settings, "fi", db=db)
step = sys.argv[3]
if step == "after_archive":
    write = receipts.write_archive
    receipts.write_archive = lambda path, data: (write(path, data), KILL())
if step == "before_commit":
    save = Submission.save
    def save_then_die(self, *args, **kwargs):
        save(self, *args, **kwargs)
        if self.seq == 3:
            KILL()
    Submission.save = save_then_die
receipts.receive(settings, 2023, "05", data, judged(verdict, schema, "fi"), "cli", db=db)
if step == "after_commit":
    KILL()
"""


@pytest.mark.parametrize("step", ["after_archive", "before_commit"])
def test_a_receipt_killed_before_its_commit_leaves_no_receipt_and_changes_nothing(settings, step):
    before = receipts(settings)
    tables = (settings.tables_dir(2023) / "regions.csv").read_bytes()
    done = killed(RECEIVE, settings.data_dir, str(INCIDENTS_05), step)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert receipts(settings) == before
    # The archived copy may be there (the archive is written first); nothing reads it.
    assert run(settings)
    assert len(incidents(settings.warehouse)) == 26
    assert (settings.tables_dir(2023) / "regions.csv").read_bytes() == tables


def test_a_receipt_killed_after_its_commit_is_in_force_and_the_next_run_publishes_it(settings):
    done = killed(RECEIVE, settings.data_dir, str(INCIDENTS_05), "after_commit")
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert receipts(settings)[2:5] == [
        ("05", 1, "incidents", "superseded"),
        ("05", 2, "missions", "in_force"),
        ("05", 3, "incidents", "in_force"),
    ]
    assert run(settings)
    assert len(incidents(settings.warehouse)) == 25


# A run's load into DuckDB, killed as soon as the new receipt's rows are inserted.
LOAD = """
import duckdb
from pipelines.definitions import JOB_NAME, build_defs
from pipelines.settings import Settings

original = duckdb.DuckDBPyConnection.execute

class Killing:
    def __init__(self, con):
        self.con = con
    def __getattr__(self, name):
        return getattr(self.con, name)
    def execute(self, sql, *args):
        result = self.con.execute(sql, *args)
        if sql.startswith("INSERT INTO staged_incidents"):
            KILL()
        return result

import pipelines.assets.validate as assets
record = assets.record_verdicts
assets.record_verdicts = lambda con, *args: record(Killing(con), *args)
settings = Settings(data_dir=sys.argv[1], report_languages=("fi",))
build_defs(settings).resolve_job_def(JOB_NAME).execute_in_process(partition_key="2023")
"""


def test_a_run_killed_during_its_load_leaves_the_warehouse_and_loads_again(settings):
    done = killed(RECEIVE, settings.data_dir, str(INCIDENTS_05), "none")
    assert done.returncode == 0, done.stderr
    before = incidents(settings.warehouse)
    done = killed(LOAD, settings.data_dir)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert incidents(settings.warehouse) == before
    from pipelines.register.models import Submission

    db = connect(settings)
    assert Submission.objects.using(db).get(region_code="05", seq=3).loaded_at is None
    assert run(settings)
    assert len(incidents(settings.warehouse)) == 25
    assert Submission.objects.using(db).get(region_code="05", seq=3).published is True


# A release run killed while its release is written, or between writing and recording it.
RELEASE = """
from pipelines.definitions import JOB_NAME, build_defs
from pipelines.assets.sensors import release_run_config
from pipelines.publish import release as writer
from pipelines.register.db import connect
from pipelines.settings import Settings

connect(Settings(data_dir=sys.argv[1]))
from pipelines.register import releases

step, request, number = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if step == "while_writing":
    sync = writer._sync
    writer._sync = lambda directory: KILL()
if step == "before_recording":
    releases.released = lambda *args, **kwargs: KILL()
settings = Settings(data_dir=sys.argv[1], report_languages=("fi",))
job = build_defs(settings).resolve_job_def(JOB_NAME)
job.execute_in_process(
    partition_key="2023", run_config=release_run_config(request, number, "2024-03-15", "")
)
"""


@pytest.mark.parametrize("step", ["while_writing", "before_recording"])
def test_a_release_killed_midway_is_made_once_by_the_retried_run(settings, step):
    from pipelines.assets.sensors import release_run_config

    db = connect(settings)
    from pipelines.register.models import Release
    from pipelines.register.receipts import in_force
    from pipelines.register.releases import request_release
    from pipelines.register.review import decide

    assert sorted(in_force(2023, db)) == ["01", "05", "06", "07", "20", "90"]
    for region in in_force(2023, db):
        decide(region, 2023, "accepted", "", None, set(), db)
    request = request_release(2023, "", date(2024, 3, 15), 0, db=db)
    done = killed(RELEASE, settings.data_dir, step, str(request.id), str(request.number))
    assert done.returncode == -signal.SIGKILL, done.stderr
    releases_dir = settings.releases_dir(2023)
    assert (releases_dir / "v1").exists() == (step == "before_recording")
    assert Release.objects.using(db).get(id=request.id).state == Release.REQUESTED
    assert run(settings, release_run_config(request.id, 1, "2024-03-15", ""))
    assert sorted(p.name for p in releases_dir.iterdir()) == ["v1"]
    assert Release.objects.using(db).get(id=request.id).state == Release.RELEASED
    manifest = json.loads((releases_dir / "v1" / "manifest.json").read_text())
    assert [(i["region_code"], i["kind"]) for i in manifest["inputs"]][:3] == [
        ("01", "incidents"),
        ("01", "missions"),
        ("05", "incidents"),
    ]


def test_a_lost_warehouse_is_rebuilt_from_the_register_and_the_archive(settings):
    """`evstats rebuild`: the old warehouse moved aside, every year run again from the
    register's receipts and the archive, and the published tables the same bytes."""
    tables = settings.tables_dir(2023)
    before = {p.name: p.read_bytes() for p in sorted(tables.iterdir())}
    shutil.rmtree(Path(settings.data_dir) / "inbox")  # the register and archive suffice
    settings.warehouse.write_bytes(b"damaged beyond repair")
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "rebuild", "--data-dir", settings.data_dir],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "previous warehouse kept as" in done.stdout
    [aside] = Path(settings.data_dir).glob("warehouse.*.duckdb")
    assert aside.read_bytes() == b"damaged beyond repair"
    assert {p.name: p.read_bytes() for p in sorted(tables.iterdir())} == before
    assert len(incidents(settings.warehouse)) == 26
