"""The whole `evstats run` at scale against the floor, as issue 21 sets the targets:
the cost of a large year is the run of it minus the run of the realistic year,
measured side by side (interleaved) in one bench, against DuckDB's floor of the
same files; memory is the peak of the run's whole process tree."""

from __future__ import annotations

import os
import shutil
import statistics
from pathlib import Path

from benchmarks.generate import YEAR, generate

REALISTIC = 400


def _config(tmp: Path, max_file_mb: int) -> Path:
    """The project's settings with the file limit lifted: ten million rows make files of
    up to 57 MB, over the 50 MB a region may send."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "config" / "evstats.toml").read_text(encoding="utf-8")
    path = tmp / "evstats.toml"
    path.write_text(text.replace("max_file_mb = 50", f"max_file_mb = {max_file_mb}"), "utf-8")
    return path


def _run(inbox: Path, work: Path, config: Path) -> dict:
    from benchmarks.__main__ import subprocess_timed

    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(inbox, work / "inbox")
    run = subprocess_timed(
        "pipelines.cli",
        ["run", "--year", str(YEAR), "--data-dir", str(work)],
        env={**os.environ, "DAGSTER_HOME": "", "EVSTATS_CONFIG": str(config)},
    )
    shutil.rmtree(work, ignore_errors=True)
    if run["exit"]:
        raise SystemExit(f"evstats run failed:\n{run['stderr']}")
    return run


def bench_scale(tmp: Path, sizes: list[int], runs: int) -> list[dict]:
    """For each size: the floor (median of three), then `runs` pairs of whole runs,
    the realistic year and the large one interleaved so both meet the same load."""
    from benchmarks.__main__ import subprocess_timed
    from pipelines.contract.schema import load_schema

    schema = load_schema()
    config = _config(tmp, 1024)
    realistic = tmp / "realistic" / "inbox"
    generate(realistic, schema, REALISTIC)
    results = []
    for rows in sizes:
        inbox = tmp / f"scale{rows}" / "inbox"
        generate(inbox, schema, rows)
        floors = [
            float(subprocess_timed("benchmarks.floor", [str(inbox)])["stdout"].split()[-1])
            for _ in range(3)
        ]
        pairs = [
            (_run(realistic, tmp / "work", config), _run(inbox, tmp / "work", config))
            for _ in range(runs)
        ]
        small = statistics.median(a["seconds"] for a, _ in pairs)
        large = statistics.median(b["seconds"] for _, b in pairs)
        floor = statistics.median(floors)
        result = {
            "rows": rows,
            "floor_seconds": round(floor, 3),
            "realistic_seconds": round(small, 2),
            "run_seconds": round(large, 2),
            "marginal_seconds": round(large - small, 2),
            "ratio_to_floor": round((large - small) / floor, 1),
            "us_per_row": round((large - small) / rows * 1e6, 2),
            "tree_peak_mb": max(b["tree_peak_mb"] for _, b in pairs),
            "main_peak_mb": max(b["peak_mb"] for _, b in pairs),
            # CPU of all processes: on a loaded machine it says more than the wall time.
            "marginal_cpu_seconds": round(
                statistics.median(b["cpu_seconds"] - a["cpu_seconds"] for a, b in pairs), 2
            ),
            "pairs": [
                {
                    "realistic": a["seconds"],
                    "run": b["seconds"],
                    "realistic_cpu": a["cpu_seconds"],
                    "cpu": b["cpu_seconds"],
                    "load": b["load"],
                }
                for a, b in pairs
            ],
        }
        print(
            f"{rows:>11,} rows: run {large:.2f} s − realistic {small:.2f} s = "
            f"{large - small:.2f} s against floor {floor:.2f} s = {result['ratio_to_floor']}×; "
            f"{result['us_per_row']} µs a row; marginal CPU {result['marginal_cpu_seconds']} s; "
            f"tree peak {result['tree_peak_mb']:.0f} MB "
            f"(main {result['main_peak_mb']:.0f}); pairs {result['pairs']}",
            flush=True,
        )
        shutil.rmtree(inbox.parent)
        results.append(result)
    return results
