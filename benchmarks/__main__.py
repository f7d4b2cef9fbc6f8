"""`make bench` / `python -m benchmarks`: time the pipeline's stages against the
floor of DuckDB reading the same files, at several sizes.

Each size gets fresh seeded data. The stages run in one process, in order,
each timed (wall clock) with its peak resident memory sampled; the whole
`evstats run`, the floor, the cold `evstats validate` and each hostile wide file
run in a process of their own. Results go to stdout, `results/latest.json` and
`results/summary.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.sampling import TreePeak

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
CORE = ("validate", "load", "aggregate")  # validate parses the files itself


class PeakRSS:
    """Samples this process's resident memory every few milliseconds."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def current() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.current())

    def __enter__(self) -> PeakRSS:
        self.peak = self.current()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())


def timed(results: dict, name: str, fn: Callable[[], object]) -> object:
    with PeakRSS() as rss:
        start = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - start
    results[name] = {"seconds": round(seconds, 3), "peak_mb": round(rss.peak / 2**20, 1)}
    print(f"    {name:<10} {seconds:9.2f} s  {rss.peak / 2**20:8.0f} MB", flush=True)
    return value


def run_stages(inbox: Path, work: Path) -> dict:
    """The pipeline's pure core, stage by stage, as the assets call it. Files are
    not held to the 50 MB submission limit here: ten million rows need larger ones."""
    import duckdb

    from pipelines import __version__
    from pipelines.contract.schema import load_schema
    from pipelines.ingest.reader import read_table
    from pipelines.publish import report_workers
    from pipelines.publish.report_data import gather
    from pipelines.publish.tables import Disclosure, publish_tables
    from pipelines.settings import Limits
    from pipelines.settings import today as finland_today
    from pipelines.validate.parsing import normalise, text_frame
    from pipelines.validate.verdict import SubmissionFile, validate_files
    from pipelines.warehouse.aggregate import (
        build_breakdown_stats,
        build_national_year_stats,
        build_region_year_stats,
    )
    from pipelines.warehouse.store import Loaded, ensure_schema, record_verdicts

    # As `evstats run` does: the report's fork server imports its libraries from the start,
    # so the report stage times the drawing, not the imports.
    report_workers.start()
    schema = load_schema()
    limits = Limits(max_bytes=2**40)
    year = 2023
    paths = sorted((inbox / str(year)).rglob("*.csv"))
    results: dict = {}

    def parse() -> list[SubmissionFile]:
        files = []
        for p in paths:
            data = p.read_bytes()
            table = read_table(data, schema, "fi", limits)
            contract = schema.contracts[table.kind]
            normalise(text_frame(table, contract), contract, schema)
            files.append(SubmissionFile(p.name, data, p.parent.name, year))
        return files

    files = timed(results, "parse", parse)
    today = finland_today()
    verdicts = timed(
        results,
        "validate",
        lambda: validate_files(
            files,
            schema,
            lang="fi",
            today=today,
            limits=limits,
            evaluator="polars",
            keep_evidence=True,  # as a run's verdicts do, for GX's audit
        ),
    )
    work.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(work / "warehouse.duckdb"))

    def load() -> None:
        ensure_schema(con, schema)
        now = datetime.now(UTC).replace(tzinfo=None)
        recorded = []
        in_force = []
        for sid, (f, v) in enumerate(zip(files, verdicts, strict=True), start=1):
            loaded = Loaded(sid, year, f.region_code, f.name, "-", len(f.data), now, "-")
            recorded.append((loaded, v, schema.contracts[v.kind]))
            if v.accepted:
                in_force.append((f.region_code, v.kind, sid))
        record_verdicts(con, recorded, now, year, in_force)

    timed(results, "load", load)

    def aggregate() -> None:
        build_region_year_stats(con, year)
        build_national_year_stats(con, year)
        build_breakdown_stats(con, schema.contracts["incidents"], year)

    timed(results, "aggregate", aggregate)
    rules = Disclosure()
    timed(
        results, "tables", lambda: publish_tables(con, year, work / "tables", rules, schema, "fi")
    )

    def report() -> None:
        data = gather(con, year, rules, schema, __version__)
        report_workers.write_reports(data, schema, ["fi", "sv", "en"], work / "report")

    timed(results, "report", report)
    con.close()
    # GX's audit of the same verdicts, as a run's worker does it beside the stages above:
    # the evidence of the suite runs, GX imported first (as the worker does at start).
    from pipelines.validate import gx_audit

    __import__("great_expectations")
    evidence = gx_audit.audit_job(verdicts).evidence
    audited = timed(results, "gx_audit", lambda: gx_audit.evaluate_evidence(evidence))
    if audited != [list(e.failed) for e in evidence]:
        raise SystemExit("GX's audit disagrees with the verdicts: see tests/unit/test_corpus.py")
    return results


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def subprocess_timed(module: str, args: list[str], env: dict | None = None) -> dict:
    """Wall time of a child process running `module`, the peak memory it reports and that
    of its whole process tree (workers included), the CPU seconds of it and every
    process it waited for, and the load average as it started: on a shared machine the
    wall time means little without it."""
    with tempfile.NamedTemporaryFile(prefix="hwm-") as hwm:
        env = {**(env or os.environ), "EVSTATS_BENCH_HWM": hwm.name}
        load = os.getloadavg()[0]
        cpu = _children_cpu()
        start = time.perf_counter()
        with (
            tempfile.TemporaryFile("w+") as out,
            tempfile.TemporaryFile("w+") as err,
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.child", module, *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=err,
                text=True,
            ) as proc,
            TreePeak(proc.pid) as tree,
        ):
            proc.wait()
            seconds = time.perf_counter() - start
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        cpu = _children_cpu() - cpu
        peak_kb = int(Path(hwm.name).read_text() or 0)
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 2),
        "load": round(load, 2),
        "peak_mb": round(peak_kb / 1024, 1),
        "tree_peak_mb": round(tree.peak / 2**20, 1),
        "exit": proc.returncode,
        "stdout": stdout[-2000:],
        "stderr": stderr[-2000:] if proc.returncode else "",
    }


def whole_runs(inbox: Path, work: Path, runs: int) -> dict:
    """`evstats run` of the year `runs` times, each on a fresh copy of the inbox, as a
    user runs it (an ephemeral Dagster instance); the median is the measurement."""
    timed_runs = []
    for n in range(runs):
        data_dir = work / f"run{n}"
        shutil.copytree(inbox, data_dir / "inbox")
        run = subprocess_timed(
            "pipelines.cli",
            ["run", "--year", "2023", "--data-dir", str(data_dir)],
            env={**os.environ, "DAGSTER_HOME": ""},
        )
        timed_runs.append(run)
        print(
            f"    evstats run {run['seconds']:8.2f} s  {run['peak_mb']:8.0f} MB "
            f"(CPU {run['cpu_seconds']:.1f} s, load {run['load']:.1f}, exit {run['exit']})"
        )
    return {
        "seconds": statistics.median(r["seconds"] for r in timed_runs),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in timed_runs),
        "peak_mb": max(r["peak_mb"] for r in timed_runs),
        "exit": max(r["exit"] for r in timed_runs),
        "runs": [{k: r[k] for k in ("seconds", "cpu_seconds", "load")} for r in timed_runs],
    }


def bench_size(rows: int, tmp: Path, runs: int) -> dict:
    from benchmarks.generate import generate
    from pipelines.contract.schema import load_schema

    print(f"\n{rows:,} incident rows", flush=True)
    inbox = tmp / f"rows{rows}" / "inbox"
    start = time.perf_counter()
    generate(inbox, load_schema(), rows)
    print(f"    generated in {time.perf_counter() - start:.1f} s", flush=True)
    floor = subprocess_timed("benchmarks.floor", [str(inbox)])
    floor_seconds = float(floor["stdout"].strip().splitlines()[-1])
    print(
        f"    floor      {floor_seconds:9.2f} s  {floor['peak_mb']:8.0f} MB "
        "(DuckDB read_csv + GROUP BY)"
    )
    stages = run_stages(inbox, tmp / f"rows{rows}" / "work")
    result = {
        "rows": rows,
        "floor": {"seconds": round(floor_seconds, 3), "peak_mb": floor["peak_mb"]},
        "stages": stages,
    }
    core = sum(stages[s]["seconds"] for s in CORE)
    result["core_seconds"] = round(core, 3)
    result["core_ratio_to_floor"] = round(core / floor_seconds, 1)
    result["core_peak_mb"] = max(stages[s]["peak_mb"] for s in CORE)
    if runs:
        result["evstats_run"] = whole_runs(inbox, tmp / f"rows{rows}", runs)
    return result


def cold_validate(tmp: Path, rows: int = 1000) -> dict:
    from benchmarks.generate import one_region_file
    from pipelines.contract.schema import load_schema

    path = one_region_file(tmp / "region05.csv", load_schema(), rows)
    run = subprocess_timed(
        "pipelines.cli", ["validate", str(path), "--region", "05", "--year", "2023"]
    )
    print(f"\ncold evstats validate, {rows:,} rows: {run['seconds']:.2f} s (exit {run['exit']})")
    return {"rows": rows, "seconds": run["seconds"], "peak_mb": run["peak_mb"], "exit": run["exit"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument(
        "--realistic",
        type=int,
        default=400,
        help="rows of the realistic year timed through evstats run",
    )
    parser.add_argument(
        "--realistic-runs",
        type=int,
        default=5,
        help="times the realistic year is run (the median is its measurement)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-run", action="store_true", help="skip the whole `evstats run` at the sizes in --rows"
    )
    parser.add_argument(
        "--portal-only", action="store_true", help="time only the portal (a few seconds)"
    )
    parser.add_argument(
        "--scale-only",
        type=int,
        nargs="+",
        metavar="ROWS",
        help="time only whole runs of these sizes against the realistic year and the floor",
    )
    parser.add_argument(
        "--scale-runs", type=int, default=3, help="pairs of whole runs per size (the median)"
    )
    parser.add_argument(
        "--wide-only",
        action="store_true",
        help="time only the verdict of the hostile wide files (a few seconds)",
    )
    args = parser.parse_args(argv)
    from benchmarks.portal import bench_portal
    from benchmarks.summary import write_summary
    from benchmarks.wide import bench_wide

    if args.portal_only:
        with tempfile.TemporaryDirectory(prefix="evstats-bench-") as tmpdir:
            bench_portal(Path(tmpdir))
        return 0
    if args.wide_only:
        bench_wide()
        return 0
    if args.scale_only:
        from benchmarks.scale import bench_scale

        with tempfile.TemporaryDirectory(prefix="evstats-bench-") as tmpdir:
            found = bench_scale(Path(tmpdir), args.scale_only, args.scale_runs)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "scale.json").write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        return 0

    with tempfile.TemporaryDirectory(prefix="evstats-bench-") as tmpdir:
        tmp = Path(tmpdir)
        report = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "cold_validate": cold_validate(tmp),
            "portal": bench_portal(tmp),
            "wide": bench_wide(),
            "realistic": bench_size(args.realistic, tmp, runs=args.realistic_runs),
            "sizes": [bench_size(rows, tmp, runs=0 if args.no_run else 1) for rows in args.rows],
        }
        if not args.no_run:
            from benchmarks.scale import bench_scale

            report["scale"] = bench_scale(tmp, [1_000_000], args.scale_runs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    summary = write_summary(report, args.out / "summary.md")
    print("\n" + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
