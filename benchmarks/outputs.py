"""`python -m benchmarks.outputs`: the SHA-256 of every published file of the demo and of
a 200k-row year, so that a change made for speed can be shown to change no output byte.

Run it before a change with `--save FILE`, after it with `--compare FILE`: the second
lists every file whose bytes differ, or that appeared or went missing, and fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines.files import file_sha256

ROOT = Path(__file__).resolve().parents[1]


def evstats(*args: str) -> None:
    """One `evstats` command on an ephemeral Dagster instance; its failure stops the bench."""
    env = {**os.environ, "DAGSTER_HOME": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"evstats {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def digest(path: Path) -> str:
    """The file's SHA-256; a PX file's without its CREATION-DATE, which is when the newest
    file in force was received: the clock of the run that received it, not an output."""
    if path.suffix != ".px":
        return file_sha256(path)
    lines = path.read_bytes().splitlines(keepends=True)
    kept = b"".join(line for line in lines if not line.startswith(b"CREATION-DATE="))
    return hashlib.sha256(kept).hexdigest()


def published(data_dir: Path, label: str) -> dict[str, str]:
    """Every file under the data directory's `reports/`, by its path below it."""
    reports = data_dir / "reports"
    return {
        f"{label}/{path.relative_to(reports)}": digest(path)
        for path in sorted(reports.rglob("*"))
        if path.is_file()
    }


def hashes(tmp: Path, rows: int) -> dict[str, str]:
    """The demo's published files and those of a generated year of `rows` incidents."""
    from benchmarks.generate import YEAR, generate
    from pipelines.contract.schema import load_schema

    demo = tmp / "demo"
    evstats("demo", "--data-dir", str(demo))
    year = tmp / f"rows{rows}"
    generate(year / "inbox", load_schema(), rows)
    evstats("run", "--year", str(YEAR), "--data-dir", str(year))
    return published(demo, "demo") | published(year, f"rows{rows}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.outputs")
    parser.add_argument("--rows", type=int, default=200_000)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    what.add_argument("--compare", type=Path, help="compare with the hashes in this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evstats-outputs-") as tmpdir:
        found = hashes(Path(tmpdir), args.rows)
    if args.save:
        args.save.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(found)} published files hashed into {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differing = sorted(k for k in before.keys() | found.keys() if before.get(k) != found.get(k))
    for name in differing:
        was, now = before.get(name, "absent"), found.get(name, "absent")
        print(f"differs: {name} ({was[:12]} → {now[:12]})")
    print(f"{len(found)} published files, {len(differing)} differing")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
