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
    import duckdb
    from pipelines.contract.schema import load_schema
    from pipelines.warehouse.store import load_in_force

    class KillAfterDelete:
        '''Passes SQL through, and kills the process as soon as the year is deleted.'''

        def __init__(self, con):
            self.con = con

        def execute(self, sql, *args):
            result = self.con.execute(sql, *args)
            if sql.startswith("DELETE FROM incidents"):
                os.kill(os.getpid(), signal.SIGKILL)
            return result

    con = duckdb.connect(sys.argv[1])
    load_in_force(KillAfterDelete(con), load_schema().contracts["incidents"], 2023)
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
        [sys.executable, "-c", KILLER, str(settings.warehouse)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert snapshot(settings.warehouse) == before


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
