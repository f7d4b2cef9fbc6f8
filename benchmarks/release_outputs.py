"""`python -m benchmarks.release_outputs [--against FILE]`: the SHA-256 of every file the
demo publishes and releases, to show that a refactoring changed no published byte.

The demo's years are run into a temporary folder, then 2023 is released twice as an
analyst would: v1 once every region is accepted, and v2 after a corrected missions file
(so the revisions' note reaches the report, the workbook and the release's files). Every
file under `reports/` and `releases/` is hashed and printed as `sha256  path`, sorted.
With `--against` the list is compared with one printed before and the differences named
(exit 1). Not a test: an intended change of an output changes the list, so the list is
recorded before a change and compared after it, never committed as expected values.

Two builds differ only by the clock of the receipts, which the demo makes as it runs,
and by their folder: a PX file's CREATION-DATE is when the year's data was last
received, and a release's manifest names each input's `received_at` and the settings'
`data_dir`. Those are left out of the hash (the PX line; the manifest's `received_at`,
`data_dir` and its PX files' hashes); every other byte counts.
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

YEAR = 2023
CORRECTED_REGION = "05"
PUBLISHED = ("reports", "releases")


def evstats(*args: str, expect: int = 0) -> None:
    """One `evstats` command in a process of its own, on the ephemeral Dagster instance,
    so the run is the command's and leaves nothing in the developer's DAGSTER_HOME."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "EVSTATS_DATA_DIR")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("evstats")), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != expect:
        sys.exit(f"evstats {' '.join(args)} exited {done.returncode}:\n{done.stderr}")


def accept_all(root: Path) -> None:
    """The analyst's sign-off of every region awaiting review, as the portal records it."""
    from pipelines.register.db import connect
    from pipelines.settings import load_settings

    db = connect(load_settings(data_dir=str(root)))
    from pipelines.register.review import decide, states

    for region, state in sorted(states(YEAR, db).items()):
        if state == "awaiting_review":
            decide(region, YEAR, "accepted", "", None, set(), db)


def correct_missions(root: Path) -> None:
    """A corrected missions file for one region: 600 more missions in January."""
    folder = root / "inbox" / str(YEAR) / CORRECTED_REGION
    sent = (folder / f"missions_{YEAR}.csv").read_text(encoding="utf-8").splitlines()
    code, year, month, missions = sent[1].split(",")
    sent[1] = ",".join((code, year, month, str(int(missions) + 600)))
    corrected = folder / f"missions_{YEAR}_korjattu.csv"
    corrected.write_text("\n".join(sent) + "\n", encoding="utf-8")
    later = (folder / f"missions_{YEAR}.csv").stat().st_mtime + 60
    os.utime(corrected, (later, later))


def build(root: Path) -> None:
    """The demo, then release v1 and the corrected v2 of one year."""
    data = ("--data-dir", str(root))
    evstats("demo", *data)
    accept_all(root)
    evstats("release", "--year", str(YEAR), "--date", "2025-03-15", *data)
    correct_missions(root)
    release_v2 = ("release", "--year", str(YEAR), "--note", "Korjaus", "--date", "2025-04-01")
    evstats(*release_v2, *data, expect=1)  # the correction arrives: 05 awaits review again
    accept_all(root)
    evstats(*release_v2, *data)


def without_clock(path: Path) -> bytes:
    """The file's bytes less the receipts' clock (see the module's docstring)."""
    if path.suffix == ".px":
        lines = path.read_bytes().splitlines(keepends=True)
        return b"".join(line for line in lines if not line.startswith(b"CREATION-DATE="))
    if path.name == "manifest.json":
        manifest = json.loads(path.read_text(encoding="utf-8"))
        del manifest["settings"]["data_dir"]
        for entry in manifest["inputs"]:
            del entry["received_at"]
        for entry in manifest["outputs"]:
            if entry["path"].endswith(".px"):
                del entry["sha256"]
        return json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    return path.read_bytes()


def hashes(root: Path) -> dict[str, str]:
    """Path under the data folder → SHA-256 of every published file, less the clock."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(without_clock(p)).hexdigest()
        for top in PUBLISHED
        for p in sorted((root / top).rglob("*"))
        if p.is_file()
    }


def read_list(path: Path) -> dict[str, str]:
    """A list printed by this script before: `sha256  path` a line."""
    pairs = (line.split("  ", 1) for line in path.read_text(encoding="utf-8").splitlines())
    return {name: digest for digest, name in pairs}


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Lines naming each file added, removed or changed."""
    return [
        f"{'added' if name not in before else 'removed' if name not in after else 'changed'}"
        f"  {name}"
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.release_outputs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--against", type=Path, help="a list printed before, to compare with")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--keep", type=Path, help="build into this new folder and keep it")
    where.add_argument("--built", type=Path, help="hash this folder, built before, as it is")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evstats-outputs-") as tmp:
        root = args.built or args.keep or Path(tmp)
        if not args.built:
            build(root)
        after = hashes(root)
    if args.against is None:
        for name, digest in after.items():
            print(f"{digest}  {name}")
        return 0
    changed = differences(read_list(args.against), after)
    print("\n".join(changed) if changed else f"{len(after)} published files, all identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
