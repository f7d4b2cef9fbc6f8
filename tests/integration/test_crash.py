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
