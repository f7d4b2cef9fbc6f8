"""The Dagster daemon as it runs in production, for the integration tests: it loads
`workspace.yaml`, evaluates the sensors and starts queued runs, on an instance of
the test's own (SQLite under a temporary DAGSTER_HOME, or PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.storage.dagster_run import RunRecord

ROOT = Path(__file__).resolve().parents[2]
DAEMON = Path(sys.executable).parent / "dagster-daemon"
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


def instance_home(home: Path, config: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(config, home / "dagster.yaml")
    return home


def start_logged(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`command` in the repository, in a process group of its own (so that `stop` ends
    it with what it starts), its output added to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@contextmanager
def running_daemon(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    daemon = start_logged([str(DAEMON), "run", "-w", "workspace.yaml"], env, log)
    try:
        yield daemon
    finally:
        stop(daemon)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """The daemon and what it started (its code server) stop together."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=60)


def wait_for(
    what: str,
    check: Callable[[], object],
    timeout: float,
    log: Path,
    instance: DagsterInstance | None = None,
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1)
    states = (
        [(r.dagster_run.run_id[:8], r.dagster_run.status.value) for r in runs(instance)]
        if instance
        else []
    )
    tail = log.read_text(errors="replace")[-6000:]
    raise AssertionError(f"{what}: not within {timeout} s; runs {states}\n{tail}")


def runs(instance: DagsterInstance) -> list[RunRecord]:
    """The job's runs, oldest first."""
    found = instance.get_run_records(RunsFilter(job_name="yearly_statistics"))
    return sorted(found, key=lambda r: r.create_timestamp)


def finished(instance: DagsterInstance, count: int) -> list[RunRecord] | None:
    """The runs, once at least `count` have finished and none waits or runs."""
    found = runs(instance)
    done = [r for r in found if r.dagster_run.status in FINISHED]
    return found if len(done) >= count and len(done) == len(found) else None
