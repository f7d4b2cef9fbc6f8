"""A process killed in the middle of its work leaves the warehouse as it was, and none
of the processes it started behind it."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pytest

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.settings import Settings
from tests.conftest import FIXTURES
from tests.integration.daemon import start_logged

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


# A process as /proc shows it: its id and its start time (ticks since boot), which
# together name it even if the id is taken again by another process later.
Process = tuple[int, int]


def processes() -> dict[Process, int]:
    """Every process alive now, with its parent's id (a zombie has ended: only its exit
    status is left for its parent)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        # After the command name in brackets: state, parent, …, start time (22nd field).
        state, parent, *rest = stat[stat.rindex(")") + 2 :].split()
        if state not in "ZX":
            found[(int(entry.name), int(rest[17]))] = int(parent)
    return found


def descendants(pid: int) -> dict[Process, int]:
    """The processes `pid` started, and theirs, with their parents."""
    alive = processes()
    tree: dict[Process, int] = {}
    parents = {pid}
    while parents:
        children = {p: parent for p, parent in alive.items() if parent in parents}
        tree.update(children)
        parents = {child_pid for child_pid, _ in children} - parents
    return tree


def command(process: Process) -> str:
    try:
        return Path(f"/proc/{process[0]}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "(ended)"


def within(timeout: float, check: Callable[[], object]) -> object:
    """`check()` polled until it holds or `timeout` seconds have passed; its last answer."""
    deadline = time.monotonic() + timeout
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def left_of(tree: Iterable[Process]) -> list[Process]:
    return sorted(set(tree) & set(processes()))


def test_a_killed_run_leaves_none_of_its_workers(tmp_path):
    """`kill -9` of `evstats run` while the report is drawn, as an operator or the OOM
    killer would: its GX worker, the report's fork server and the three languages'
    workers must end with it (they were left running, reparented to init)."""
    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    env = {**os.environ, "EVSTATS_DATA_DIR": str(tmp_path)}
    env.pop("DAGSTER_HOME", None)
    log = tmp_path / "run.log"
    run = start_logged([sys.executable, "-m", "pipelines.cli", "run", "--year", "2023"], env, log)
    tree: dict[Process, int] = {}

    def drawing() -> bool:
        """The GX worker and three workers forked from the report's fork server."""
        alive = descendants(run.pid)
        tree.update(alive)
        servers = {p[0] for p in alive if "multiprocessing.forkserver" in command(p)}
        workers = [p for p, parent in alive.items() if parent in servers]
        gx = [p for p in alive if "multiprocessing.spawn" in command(p)]
        return len(workers) == 3 and len(gx) == 1

    try:
        assert within(120, drawing), log.read_text(errors="replace")[-4000:]
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
        within(30, lambda: not left_of(tree))
        assert [command(p) for p in left_of(tree)] == []
    finally:
        for pid, _ in left_of(tree):
            os.kill(pid, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
            run.wait()


# A process that starts a child asking to die with it, then waits to be killed; the child
# asks before or after its parent has died, and marks when it has asked.
PARENT = textwrap.dedent(
    """
    import os, subprocess, sys, time
    subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), *sys.argv[2:]])
    time.sleep(600)
    """
)
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from pipelines.processes import die_with_parent
    parent, when, mark = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    while when == "after" and os.getppid() == parent:
        time.sleep(0.01)
    die_with_parent(parent)
    mark.touch()
    time.sleep(600)
    """
)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_worker_dies_with_its_parent_whenever_the_parent_dies(tmp_path, when):
    """The kernel kills a worker whose parent dies after it asked; one whose parent died
    before it could ask (a run killed as it starts its workers) ends by itself."""
    mark = tmp_path / "asked"
    log = tmp_path / "parent.log"
    parent = start_logged(
        [sys.executable, "-c", PARENT, CHILD, when, str(mark)], dict(os.environ), log
    )
    child: dict[Process, int] = {}
    try:
        assert within(60, lambda: child.update(descendants(parent.pid)) or child)
        if when == "before":
            assert within(60, mark.exists), log.read_text(errors="replace")
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        within(30, lambda: not left_of(child))
        assert [command(p) for p in left_of(child)] == []
        assert mark.exists() == (when == "before")
    finally:
        for pid, _ in left_of(child):
            os.kill(pid, signal.SIGKILL)
