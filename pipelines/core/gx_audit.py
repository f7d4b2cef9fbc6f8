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

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from pipelines.core.issues import Issue
from pipelines.core.reader import DEFAULT_LIMITS, Limits
from pipelines.core.validation import SubmissionFile, Verdict, validate_files

_worker: ProcessPoolExecutor | None = None


def _import_gx() -> None:
    import great_expectations  # noqa: F401


def start_worker() -> ProcessPoolExecutor:
    """Start the worker and its GX import now, so that it is ready when needed.
    A fresh interpreter (spawn), because forking a process that already runs
    Polars' thread pool is unsafe."""
    global _worker
    if _worker is None:
        _worker = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=_import_gx
        )
        _worker.submit(int)  # a process starts with its first task
    return _worker


def _gx_issues(
    files: list[SubmissionFile], lang: str, today: date, limits: Limits
) -> list[list[Issue]]:
    from pipelines.core.schema import load_schema

    verdicts = validate_files(
        files, load_schema(), lang=lang, today=today, limits=limits, evaluator="gx"
    )
    return [v.issues for v in verdicts]


@dataclass
class Audit:
    """GX's issues for a list of files (pending in the worker) and the verdicts to match."""

    files: list[str]
    expected: list[list[Issue]]
    gx: Future[list[list[Issue]]]

    def disagreements(self) -> list[str]:
        """One line per file whose issues differ, naming the first difference."""
        found = []
        for name, ours, theirs in zip(self.files, self.expected, self.gx.result(), strict=True):
            if ours == theirs:
                continue
            only_ours = [i for i in ours if i not in theirs]
            only_gx = [i for i in theirs if i not in ours]
            first = (only_ours or only_gx)[0]
            side = "verdict only" if only_ours else "GX only"
            found.append(f"{name}: {side}: row {first.row}, {first.column}, {first.rule}")
        return found


def audit(
    files: list[SubmissionFile],
    verdicts: list[Verdict],
    *,
    lang: str,
    today: date,
    limits: Limits = DEFAULT_LIMITS,
) -> Audit:
    """Hand the files to the GX worker; the result is collected by `Audit.disagreements`."""
    future = start_worker().submit(_gx_issues, files, lang, today, limits)
    return Audit([f.name for f in files], [v.issues for v in verdicts], future)


_pending: dict[int, Audit] = {}


def register(year: int, pending: Audit) -> None:
    """Keep the audit of a year's new files for the check that ends the run."""
    _pending[year] = pending


def take(year: int) -> Audit | None:
    return _pending.pop(year, None)
