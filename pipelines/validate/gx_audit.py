"""Great Expectations audits every verdict, on the second core, while the run goes on.

The pipeline decides verdicts with the suite evaluated in Polars (`polars_suite`):
it takes a fraction of a second, where importing GX alone takes several seconds
on a small machine. GX then evaluates the same suite, in a worker process started
as early as possible, on what the verdicts' suite runs were shown: every distinct
value of every expectation's columns in every row of every file (`suite.Evidence`),
and the run's last check requires GX to fail exactly the values the verdicts
failed. The reader's rules and the rules of whole files are the same Polars code
whichever evaluator runs the suite, so running them twice audited nothing: the
worker is handed the evidence, a few thousand values, not the files, which it
read, parsed and held again (5 CPU-seconds and 1.2 GB at a million rows). The
import is paid once per process and in parallel with the work; no rule is
skipped, and a disagreement fails the run.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import util as multiprocessing_util
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

import polars as pl

from pipelines.processes import die_with_parent
from pipelines.validate.suite import Evidence
from pipelines.validate.verdict import Verdict

# What GX fails of each expectation's domain, per evidence.
Failed = list[tuple[int, ...]]
NICENESS = 10  # the audit's priority below the run's (`nice`): it fills idle CPU


def _serve(conn: Connection, parent: int) -> None:
    """The worker: import GX once, then evaluate jobs in the order they come.

    It dies with `parent`, the process that started it: a run killed outright would
    otherwise leave it importing or auditing for nobody (it notices only when it
    next waits for a job). GX is imported at the run's priority and evaluated at a
    lower one: the run needs the answer only in its last check, so the evaluation
    takes the CPU the steps and the report leave idle; but an import at the lower
    priority starved while the run's first steps kept both cores busy and was paid
    after the report, on the run's critical path (6 s at ten million rows, 1.7 s at a
    million)."""
    die_with_parent(parent)
    import great_expectations  # noqa: F401

    os.nice(NICENESS)
    while (job := conn.recv()) is not None:
        job_id, evidence = job
        try:
            conn.send((job_id, evaluate_evidence(evidence), None))
        except Exception:
            conn.send((job_id, None, traceback.format_exc()))
    conn.close()
    # Release what multiprocessing holds (a semaphore GX's libraries create), then skip
    # the interpreter's teardown of GX and its libraries: a second at the end of a run.
    multiprocessing_util._exit_function()
    os._exit(0)


def evaluate_evidence(evidence: tuple[Evidence, ...]) -> list[Failed]:
    """GX's verdict of each evidence, in one GX run per suite: the batches of a day share
    theirs (one kind, year and date), and each GX run costs most of a second whatever
    its size, so thirty batches of a ten-million-row year are evaluated together, their
    domains one after the other, and GX's failures are split back by position."""
    from pipelines.validate.gx_suite import evaluate  # imports GX

    groups: list[list[int]] = []
    for n, e in enumerate(evidence):
        same = (g for g in groups if _same_suite(evidence[g[0]], e))
        group = next(same, None)
        if group is None:
            groups.append([n])
        else:
            group.append(n)
    found: dict[int, Failed] = {}
    for group in groups:
        first = evidence[group[0]]
        width = len(first.expectations)
        joined = [
            pl.concat([evidence[n].domains[i] for n in group], how="vertical_relaxed")
            for i in range(width)
        ]
        failed = evaluate(first.kind, list(first.expectations), joined)
        starts = [0] * width
        for n in group:
            own = []
            for i in range(width):
                start, end = starts[i], starts[i] + evidence[n].domains[i].height
                own.append(tuple(r - start for r in failed[i] if start <= r < end))
                starts[i] = end
            found[n] = own
    return [found[n] for n in range(len(evidence))]


def _same_suite(a: Evidence, b: Evidence) -> bool:
    return a.kind == b.kind and a.expectations == b.expectations


@dataclass
class Worker:
    """A spawned process (forking one that runs Polars' thread pool is unsafe) that
    is daemonic, so that the interpreter stops it at exit instead of waiting for
    an import nobody needs any more."""

    process: BaseProcess
    conn: Connection
    sent: int = 0
    done: dict[int, tuple[list[Failed] | None, str | None]] = field(default_factory=dict)

    def submit(self, evidence: tuple[Evidence, ...]) -> int:
        self.sent += 1
        self.conn.send((self.sent, evidence))
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

    def result(self, job_id: int) -> list[Failed]:
        while job_id not in self.done:
            if self.conn.poll(1):
                received, failed, error = self.conn.recv()
                self.done[received] = (failed, error)
            elif not self.process.is_alive():
                raise RuntimeError(f"the GX worker stopped (exit code {self.process.exitcode})")
        failed, error = self.done.pop(job_id)
        if error is not None:
            raise RuntimeError(f"GX could not audit the verdicts:\n{error}")
        assert failed is not None
        return failed


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
    """The evidence of the new files' verdicts, as `submission_verdicts` hands it to
    `gx_audit`: all the audit needs, so that it audits the same values however and
    wherever it is launched (its `key` finds an audit started in this process)."""

    evidence: tuple[Evidence, ...]
    files: int
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class Audit:
    """GX's verdicts of the evidence (pending in the worker), to match the verdicts'."""

    evidence: tuple[Evidence, ...]
    worker: Worker
    job_id: int

    def disagreements(self) -> list[str]:
        """One line per expectation whose failed values differ, naming the file, row and
        column where the first differing value was first found, never the value."""
        found = []
        for evidence, theirs in zip(self.evidence, self.worker.result(self.job_id), strict=True):
            for index, (ours, gx) in enumerate(zip(evidence.failed, theirs, strict=True)):
                if ours == gx:
                    continue
                only_ours = sorted(set(ours) - set(gx))
                side = "verdict only" if only_ours else "GX only"
                file, row = evidence.where(index, (only_ours or sorted(set(gx) - set(ours)))[0])
                meta = evidence.expectations[index].meta
                found.append(f"{file}: {side}: row {row}, {meta['column']}, {meta['rule']}")
        return found


def audit_job(verdicts: list[Verdict]) -> AuditJob:
    """What GX must agree with on `verdicts`: their suite runs' evidence, each once (a
    batch's files share theirs). A file the reader rejected whole had no suite run."""
    evidence = {id(v.evidence): v.evidence for v in verdicts if v.evidence is not None}
    files = sum(1 for v in verdicts if v.evidence is not None)
    return AuditJob(tuple(evidence.values()), files)


# Audits started early by the step that judged the files, so that GX works beside the
# rest of the run; `collect` takes them. Only a head start: `collect` audits a job it
# finds nothing for itself.
_started: dict[str, Audit] = {}


def start(job: AuditJob) -> None:
    """Hand the job's evidence to the worker now."""
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
    return Audit(job.evidence, worker, worker.submit(job.evidence))


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
