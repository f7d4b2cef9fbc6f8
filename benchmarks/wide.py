"""Hostile wide files: what judging each costs a warm portal worker.

Each file is judged in a process of its own by `validate_files`, called as the
portal's `check` calls it (Polars evaluator, the default limits), after a small
honest file has warmed the process up as earlier requests warm a worker. Time is
the verdict's wall time; extra memory is the peak resident set during the verdict
above the resident set before it, the kernel's high-water mark having been reset
first (`/proc/self/clear_refs`), so that brief peaks count too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks.generate import region_incidents
from pipelines.contract.demo import load_calibration
from pipelines.contract.schema import Schema, load_schema
from pipelines.validate.verdict import SubmissionFile, Verdict, validate_files

ROOT = Path(__file__).resolve().parents[1]
# What either file may cost at most (the issue's target): a verdict, not minutes and gigabytes.
MAX_SECONDS = 1.0
MAX_EXTRA_MB = 100.0
WIDTH = 1_000_000


def hostile_files(schema: Schema) -> dict[str, tuple[str, bytes]]:
    """Name → (what it is, its bytes), as sent to the portal."""
    rng = np.random.default_rng(5)
    one_row = region_incidents(rng, load_calibration(), schema, "05", 1).write_csv()
    return {
        "commas": (
            f"a header and one row followed by {WIDTH:,} commas",
            (one_row.rstrip("\n") + "," * WIDTH + "\n").encode(),
        ),
        "header": (
            f"a header of {WIDTH:,} column names",
            (",".join(f"c{i}" for i in range(WIDTH)) + "\n").encode(),
        ),
    }


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def judge(name: str) -> dict:
    """The verdict of one file and what it cost, in this process (see the module's text)."""
    schema = load_schema()

    def verdict(data: bytes) -> Verdict:
        files = [SubmissionFile("upload.csv", data, "05", 2023)]
        return validate_files(
            files, schema, lang="fi", today=date(2024, 1, 15), evaluator="polars"
        )[0]

    rng = np.random.default_rng(3)
    verdict(region_incidents(rng, load_calibration(), schema, "05", 400).write_csv().encode())
    _, data = hostile_files(schema)[name]
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the present resident set
    before = _status_kb("VmRSS")
    start = time.perf_counter()
    judged = verdict(data)
    seconds = time.perf_counter() - start
    extra_kb = _status_kb("VmHWM") - before
    return {
        "bytes": len(data),
        "seconds": round(seconds, 3),
        "extra_mb": round(extra_kb / 1024, 1),
        "accepted": judged.accepted,
        "issues": sorted({f"{i.severity} {i.rule}" for i in judged.issues}),
    }


def bench_wide() -> dict:
    """Both files, each judged in a fresh process so that neither's memory is the other's."""
    results = {}
    print("\nhostile wide files, judged as the portal judges them:", flush=True)
    for name, (label, _) in hostile_files(load_schema()).items():
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.wide", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = {"label": label, **json.loads(proc.stdout.strip().splitlines()[-1])}
        results[name] = result
        print(
            f"    {label}: {result['seconds']:.2f} s, {result['extra_mb']:.0f} MB extra, "
            f"{'accepted' if result['accepted'] else 'rejected'} ({', '.join(result['issues'])})",
            flush=True,
        )
    return results


if __name__ == "__main__":
    print(json.dumps(judge(sys.argv[1])))
