"""The report's languages, drawn in worker processes forked from a server that has the
report's libraries imported already.

matplotlib, WeasyPrint, openpyxl and Jinja take about a second of CPU to import. The
workers used to be forked from the run's own process, which therefore imported them
before Dagster could start its first step. Now a fork server (multiprocessing's
`forkserver`) imports them (`pipelines.publish.report`) as soon as a command starts, in
parallel with the run's other steps, and each language is a child forked from it when
the report is due: the run's process never imports them, and a small server forks
faster than a process holding Dagster. This module imports none of them itself.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext
from pathlib import Path

from pipelines.contract.schema import Schema
from pipelines.processes import die_with_parent
from pipelines.publish.report_data import ReportData

# The report and the libraries it imports only when drawing (the workbook, the page).
PRELOAD = ["pipelines.publish.report", "openpyxl", "jinja2"]


def _context() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    assert isinstance(context, ForkServerContext)
    context.set_forkserver_preload(PRELOAD)
    return context


def start() -> int:
    """Start the fork server and its imports now, so that they are done when the report
    is due (otherwise the first `write_reports` starts it and waits for them); its
    process id."""
    _context()
    forkserver.ensure_running()
    return forkserver._forkserver._forkserver_pid


def stop() -> None:
    """Stop the fork server and wait for it, so that no process of a command outlives it.
    It is terminated rather than asked to stop: it holds nothing but imported modules, and
    tearing those down took 0.3 s at the end of every run."""
    server = forkserver._forkserver
    if server._forkserver_pid is not None:
        os.kill(server._forkserver_pid, signal.SIGTERM)
    server._stop()


@contextmanager
def running() -> Iterator[None]:
    """A command's fork server: started at once, stopped at the end."""
    start()
    try:
        yield
    finally:
        stop()


def _die_with_server(server: int) -> None:
    """A worker's start: it dies with the fork server, and lets the server die with the
    command. The server ends when no process holds its "alive" pipe any more, and
    multiprocessing hands that pipe to each child too (for children of children,
    which these workers never start): held by the workers, it kept the server and so
    the workers alive after the command had been killed."""
    die_with_parent(server)
    os.close(forkserver._forkserver._forkserver_alive_fd)
    forkserver._forkserver._forkserver_alive_fd = None


def _write_report(data: ReportData, schema: Schema, lang: str, out_dir: Path) -> dict[str, Path]:
    """One language in a worker. The worker starts as multiprocessing prepares a spawned
    child, in the caller's working directory and with its `sys.path`, so a relative
    `out_dir` (the default data directory is `./data`) means what the caller meant."""
    from pipelines.publish.report import write_report  # imported by the server already

    return write_report(data, schema, lang, out_dir)


def write_reports(
    data: ReportData, schema: Schema, languages: list[str], out_dir: Path
) -> dict[str, dict[str, Path]]:
    """Every language's outputs; on several cores the languages are drawn in parallel,
    one worker each (each language's files are its own). One worker per language even on
    two cores: with a worker per core the third language was drawn alone after the first
    two, a third longer."""
    if len(languages) < 2 or (os.cpu_count() or 1) < 2:
        from pipelines.publish.report import write_report

        return {lang: write_report(data, schema, lang, out_dir) for lang in languages}
    server = start()
    with ProcessPoolExecutor(
        len(languages), mp_context=_context(), initializer=_die_with_server, initargs=(server,)
    ) as pool:
        futures = {
            lang: pool.submit(_write_report, data, schema, lang, out_dir) for lang in languages
        }
        return {lang: f.result() for lang, f in futures.items()}
