"""`python -m benchmarks.outputs`: the SHA-256 of every published file of the demo and of
a 200k-row year, so that a change made for speed can be shown to change no output byte
at a size where the work is split (threads, batches) as it is at scale.

Run it before a change with `--save FILE`, after it with `--compare FILE`: the second
names every file whose bytes differ, or that appeared or went missing, and fails. The
runs and the hashing less the receipts' clock are `release_outputs`'s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.release_outputs import differences, evstats, hashes


def build(tmp: Path, rows: int) -> dict[str, str]:
    """The demo's published files and those of a generated year of `rows` incidents."""
    from benchmarks.generate import YEAR, generate
    from pipelines.contract.schema import load_schema

    demo = tmp / "demo"
    evstats("demo", "--data-dir", str(demo))
    year = tmp / f"rows{rows}"
    generate(year / "inbox", load_schema(), rows)
    evstats("run", "--year", str(YEAR), "--data-dir", str(year))
    return {
        f"{root.name}/{name}": digest
        for root in (demo, year)
        for name, digest in hashes(root).items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.outputs")
    parser.add_argument("--rows", type=int, default=200_000)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--save", type=Path, help="write the hashes to this JSON file")
    what.add_argument("--compare", type=Path, help="compare with the hashes in this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evstats-outputs-") as tmpdir:
        found = build(Path(tmpdir), args.rows)
    if args.save:
        args.save.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(found)} published files hashed into {args.save}")
        return 0
    differing = differences(json.loads(args.compare.read_text(encoding="utf-8")), found)
    print("\n".join([*differing, f"{len(found)} published files, {len(differing)} differing"]))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
