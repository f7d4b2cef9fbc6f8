"""A process killed in the middle of loading leaves the warehouse as it was."""

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.settings import Settings
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date, datetime
    import duckdb
    from pipelines.contract.schema import load_schema
    from pipelines.validate.verdict import SubmissionFile, validate_files
    from pipelines.warehouse.store import Received, record_verdicts, register_submission

    class KillAfterInsert:
        '''Passes calls through, and kills the process as soon as rows are inserted.'''

        def __init__(self, con):
            self.con = con

        def __getattr__(self, name):
            return getattr(self.con, name)

        def execute(self, sql, *args):
            result = self.con.execute(sql, *args)
            if sql.startswith("INSERT INTO staged_incidents"):
                os.kill(os.getpid(), signal.SIGKILL)
            return result

    schema = load_schema()
    con = duckdb.connect(sys.argv[1])
    data = open(sys.argv[2], "rb").read()
    data = data[: data.rstrip().rindex(b"\\n") + 1]  # region 05 again, without its last row
    now = datetime(2024, 1, 1)
    received = Received(2023, "05", "incidents.csv", "new", len(data), now, "-")
    sid = register_submission(con, received)
    [verdict] = validate_files(
        [SubmissionFile("incidents.csv", data, "05", 2023)],
        schema, lang="fi", today=date(2024, 1, 1), evaluator="polars",
    )
    assert verdict.accepted, verdict.issues
    record_verdicts(KillAfterInsert(con), [(sid, verdict, schema.contracts["incidents"])], now)
    """
)


def snapshot(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT region_code, incident_id, incident_date FROM incidents ORDER BY ALL"
        ).fetchall()


def test_kill_during_load_keeps_the_previous_state(tmp_path):
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    settings = Settings(data_dir=str(tmp_path))
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    before = snapshot(settings.warehouse)
    assert len(before) == 26

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            str(settings.warehouse),
            str(FIXTURES / "inbox" / "2023" / "05" / "incidents.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert snapshot(settings.warehouse) == before
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        pending = con.execute("SELECT count(*) FROM submissions WHERE status = 'received'")
        assert pending.fetchone() == (1,)  # to be validated again by the next run


def test_a_lost_warehouse_is_rebuilt_from_the_received_files(tmp_path):
    """`evstats rebuild`: the old warehouse moved aside, every year run again from the
    raw files, and the published tables the same bytes as before."""
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    job = build_defs(Settings(data_dir=str(tmp_path))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    tables = tmp_path / "reports" / "2023" / "tables"
    before = {p.name: p.read_bytes() for p in sorted(tables.iterdir())}
    (tmp_path / "warehouse.duckdb").write_bytes(b"damaged beyond repair")
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "rebuild", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "previous warehouse kept as" in done.stdout
    [aside] = tmp_path.glob("warehouse.*.duckdb")
    assert aside.read_bytes() == b"damaged beyond repair"
    assert {p.name: p.read_bytes() for p in sorted(tables.iterdir())} == before
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM incidents WHERE year = 2023").fetchone() == (26,)
