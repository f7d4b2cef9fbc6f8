"""A process killed at any step leaves register, archive and warehouse in agreement
(receipt and file, the load of a run, the writing of a release), and none of the
processes it started behind it."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.register.db import connect
from pipelines.settings import Settings
from tests.conftest import FIXTURES
from tests.integration.daemon import start_logged

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
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "--lang",
            "en",
            "rebuild",
            "--data-dir",
            settings.data_dir,
        ],
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
