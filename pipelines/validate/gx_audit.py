"""Great Expectations audits every verdict, on the second core, while the run goes on.

The pipeline decides verdicts with the suite evaluated in Polars (`polars_suite`):
it takes a fraction of a second, where importing GX alone takes several seconds
on a small machine. GX then evaluates the same suite on the same files in a
worker process started as early as possible, and the run's last check requires
GX to find exactly the issues the verdicts hold. The import is paid once per
process and in parallel with the work, not before it; no rule is skipped, and a
disagreement fails the run.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import util as multiprocessing_util
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from pipelines.contract.issues import Issue
from pipelines.contract.schema import Schema, load_schema
from pipelines.files import in_batches
from pipelines.processes import die_with_parent
from pipelines.settings import DEFAULT_LIMITS, Limits
from pipelines.validate.verdict import BATCH_BYTES, SubmissionFile, Verdict, validate_files


@dataclass(frozen=True)
class AuditFile:
    """A file to audit as its receipt names it: the worker reads its archived bytes
    itself, a batch at a time, so that no copy of them is held or sent by the run."""

    name: str
    path: str
    region_code: str | None
    year: int | None


Job = tuple[int, list[AuditFile], str, date, Limits]
# A file's issues as GX finds them: those kept, and those past the limit counted by severity.
Found = tuple[list[Issue], dict[str, int]]
NICENESS = 10  # the audit's priority below the run's (`nice`): it fills idle CPU


def _serve(conn: Connection, parent: int) -> None:
    """The worker: import GX once, then evaluate jobs in the order they come.

    It dies with `parent`, the process that started it: a run killed outright would
    otherwise leave it importing or auditing for nobody (it notices only when it
    next waits for a job). It runs at a lower priority: the run needs its answer
    only in the last check, so on a small machine it should take the CPU the steps
    and the report leave idle rather than share it with them, which delayed the
    report by the audit's seconds."""
    die_with_parent(parent)
    os.nice(NICENESS)
    import great_expectations  # noqa: F401

    schema = load_schema()
    while (job := conn.recv()) is not None:
        job_id, files, lang, today, limits = job
        try:
            conn.send((job_id, _audit(files, schema, lang, today, limits), None))
        except Exception:
            conn.send((job_id, None, traceback.format_exc()))
    conn.close()
    # Release what multiprocessing holds (a semaphore GX's libraries create), then skip
    # the interpreter's teardown of GX and its libraries: a second at the end of a run.
    multiprocessing_util._exit_function()
    os._exit(0)


def _audit(
    files: list[AuditFile], schema: Schema, lang: str, today: date, limits: Limits
) -> list[Found]:
    """GX's issues of each file, the files read and evaluated a batch at a time: a day
    of ten million rows given whole held 8 GB in this process alone. A file's issues
    do not depend on the files judged beside it."""
    found: list[Found] = []
    for batch in in_batches(files, lambda f: os.path.getsize(f.path), BATCH_BYTES):
        submitted = [
            SubmissionFile(f.name, Path(f.path).read_bytes(), f.region_code, f.year) for f in batch
        ]
        verdicts = validate_files(
            submitted, schema, lang=lang, today=today, limits=limits, evaluator="gx"
        )
        found.extend((v.issues, v.omitted) for v in verdicts)
    return found


@dataclass
class Worker:
    """A spawned process (forking one that runs Polars' thread pool is unsafe) that
    is daemonic, so that the interpreter stops it at exit instead of waiting for
    an import nobody needs any more."""

    process: BaseProcess
    conn: Connection
    sent: int = 0
    done: dict[int, tuple[list[Found] | None, str | None]] = field(default_factory=dict)

    def submit(self, files: list[AuditFile], lang: str, today: date, limits: Limits) -> int:
        self.sent += 1
        job: Job = (self.sent, files, lang, today, limits)
        self.conn.send(job)
        return self.sent

    def stop(self) -> None:
        """Let a worker that has audited something exit on its own, so that what GX
        set up in it is released (a killed worker leaves a semaphore behind and
        Python warns about it); one that never got a job is still importing and
        is simply stopped."""
        if not self.process.is_alive():
            return
        if self.sent:
            self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)

    def result(self, job_id: int) -> list[Found]:
        while job_id not in self.done:
            if self.conn.poll(1):
                received, issues, error = self.conn.recv()
                self.done[received] = (issues, error)
            elif not self.process.is_alive():
                raise RuntimeError(f"the GX worker stopped (exit code {self.process.exitcode})")
        issues, error = self.done.pop(job_id)
        if error is not None:
            raise RuntimeError(f"GX could not audit the verdicts:\n{error}")
        assert issues is not None
        return issues


_worker: Worker | None = None


def start_worker() -> Worker:
    """Start the worker and its GX import now, so that it is ready when needed."""
    global _worker
    if _worker is None or not _worker.process.is_alive():
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, os.getpid()), daemon=True, name="gx-audit"
        )
        process.start()
        _worker = Worker(process, ours)
        atexit.register(_worker.stop)
    return _worker


@dataclass(frozen=True)
class AuditJob:
    """The files of one day of receipt with the issues their verdicts hold, as
    `submission_verdicts` hands them to `gx_audit`: all the audit needs, so that it
    audits the same files however and wherever it is launched."""

    files: tuple[AuditFile, ...]
    expected: tuple[tuple[Issue, ...], ...]
    lang: str
    today: date
    limits: Limits = DEFAULT_LIMITS
    # The issues past the limit of each file, counted by severity: GX must count them too.
    omitted: tuple[dict[str, int], ...] = ()

    @property
    def key(self) -> tuple[object, ...]:
        return (tuple(f.path for f in self.files), self.lang, self.today, self.limits)


@dataclass
class Audit:
    """GX's issues for a list of files (pending in the worker) and the verdicts to match."""

    files: list[str]
    expected: list[list[Issue]]
    worker: Worker
    job_id: int
    omitted: list[dict[str, int]] = field(default_factory=list)

    def disagreements(self) -> list[str]:
        """One line per file whose issues differ, naming the first difference."""
        found = []
        omitted = self.omitted or [{} for _ in self.files]
        for name, ours, counted, (theirs, gx_counted) in zip(
            self.files, self.expected, omitted, self.worker.result(self.job_id), strict=True
        ):
            if ours == theirs and counted == gx_counted:
                continue
            if ours == theirs:
                found.append(f"{name}: past the issues kept, verdict {counted}, GX {gx_counted}")
                continue
            only_ours = [i for i in ours if i not in theirs]
            only_gx = [i for i in theirs if i not in ours]
            if not only_ours and not only_gx:
                found.append(f"{name}: the same issues, listed a different number of times")
                continue
            first = (only_ours or only_gx)[0]
            side = "verdict only" if only_ours else "GX only"
            found.append(f"{name}: {side}: row {first.row}, {first.column}, {first.rule}")
        return found


def audit_job(
    files: list[AuditFile],
    verdicts: list[Verdict],
    *,
    lang: str,
    today: date,
    limits: Limits = DEFAULT_LIMITS,
) -> AuditJob:
    """What GX must find in `files`: their verdicts' issues but the plausibility warnings,
    which judge a file against the region's earlier years, which the suite GX evaluates
    knows nothing of."""
    plausibility = load_schema().plausibility
    expected = tuple(tuple(i for i in v.issues if i.rule not in plausibility) for v in verdicts)
    omitted = tuple(dict(v.omitted) for v in verdicts)
    return AuditJob(tuple(files), expected, lang, today, limits, omitted)


# Audits started early by the step that judged the files, so that GX works beside the
# rest of the run; `collect` takes them. Only a head start: `collect` audits a job it
# finds nothing for itself.
_started: dict[tuple[object, ...], Audit] = {}


def start(job: AuditJob) -> None:
    """Hand the job's files to the worker now."""
    _started[job.key] = _submit(job)


def collect(job: AuditJob) -> Audit:
    """The audit of `job`: the one started in this process if any, else one started now
    (an audit materialised alone, or in another process)."""
    started = _started.pop(job.key, None)
    if started is not None:
        return started
    return _submit(job)


def _submit(job: AuditJob) -> Audit:
    worker = start_worker()
    job_id = worker.submit(list(job.files), job.lang, job.today, job.limits)
    return Audit(
        [f.name for f in job.files],
        [list(issues) for issues in job.expected],
        worker,
        job_id,
        list(job.omitted),
    )


def stop_worker() -> None:
    """Stop a worker started in advance when it turns out there is nothing to audit."""
    global _worker
    _started.clear()  # their results went with the worker
    if _worker is not None:
        _worker.stop()
        _worker = None


@contextmanager
def running_worker() -> Iterator[None]:
    """A command's GX worker: started at once, so that its GX import overlaps whatever the
    command imports and does next, and stopped with everything it started at the end."""
    start_worker()
    try:
        yield
    finally:
        shutdown()


def shutdown() -> None:
    """Stop the worker and the resource tracker its spawn started, and wait for both, so
    that no process of a command outlives it (the tracker otherwise lingers a second or
    two after the command has returned)."""
    from multiprocessing import resource_tracker

    stop_worker()
    resource_tracker._resource_tracker._stop()
