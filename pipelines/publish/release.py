"""Versioned releases of a year and the revisions between them.

Official statistics are released on a stated date and corrected openly later:
a release freezes what was published and the inputs it was made from, and the
next release lists every published cell that changed. This module decides what
a release holds (inputs in force, hashes, the revisions diff) and writes it; the
run's `release` step calls it with the register's files in force, after the
register has allocated the release's number and checked the sign-off.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pipelines.files import file_sha256
from pipelines.publish.tables import PRIMARY_KEYS

MANIFEST = "manifest.json"
REVISIONS = "revisions.csv"
OUTPUTS = "outputs"
INPUTS = "inputs"
REVISION_COLUMNS = ["table", "keys", "column", "old", "new", "change", "reason"]


@dataclass(frozen=True)
class Release:
    """What a report says of the release it belongs to; `revised_cells` is counted
    against `number - 1` and is 0 for the first release."""

    number: int
    date: date
    note: str = ""
    revised_cells: int = 0
    missing_regions: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return version_name(self.number)


def version_name(number: int) -> str:
    return f"v{number}"


def tables_of(year_dir: Path, number: int) -> Path:
    """Where a release keeps its CSV tables: its outputs mirror `reports/<year>/`."""
    return year_dir / version_name(number) / OUTPUTS / "tables"


def release_numbers(year_dir: Path) -> list[int]:
    """The numbers of the year's finished releases: a temporary directory of a release
    being written (or one that failed) is not a release."""
    if not year_dir.is_dir():
        return []
    return sorted(
        int(p.name[1:])
        for p in year_dir.iterdir()
        if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit()
    )


def latest_number(year_dir: Path) -> int:
    """The highest finished release of the year on disk, 0 when there is none: the
    register's numbering starts after it (releases made before the register exist
    only on disk)."""
    return max(release_numbers(year_dir), default=0)


def next_number(year_dir: Path) -> int:
    """One after the highest release, so a release is never overwritten even when an
    earlier number was removed by hand."""
    return latest_number(year_dir) + 1


def file_hashes(root: Path) -> list[dict[str, object]]:
    """Every file under `root` with its size and SHA-256, by relative path, so a reader
    can check a release's copy against the manifest."""
    return [
        {
            "path": p.relative_to(root).as_posix(),
            "bytes": p.stat().st_size,
            "sha256": file_sha256(p),
        }
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


def missing(regions: list[str], in_force: list[str]) -> list[str]:
    """Regions with no data in force at all, in the order of the published tables."""
    return [r for r in regions if r not in set(in_force)]


def input_entry(
    region_code: str,
    kind: str,
    submission_id: int,
    file_name: str,
    received_at: str,
    sha256: str,
    archive: Path,
) -> dict[str, object]:
    """One archived file in force, as a release names it: the receipt it was, and where
    its copy lies in the release (`inputs/<region>/<sha256>_<name>`)."""
    name = f"{sha256}_{file_name}"
    return {
        "region_code": region_code,
        "kind": kind,
        "submission_id": submission_id,
        "file_name": file_name,
        "received_at": received_at,
        "sha256": sha256,
        "archive": archive,
        "path": f"{INPUTS}/{region_code}/{name}",
    }


def freeze(source: Path, target: Path) -> None:
    """A hard link where the archive's file system allows (the archive is append-only
    and read-only, so the link cannot change), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _read_table(path: Path) -> tuple[list[str], dict[tuple[str, ...], dict[str, str]], list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    keys = [k for k in PRIMARY_KEYS[path.stem] if k in header]
    return header, {tuple(r[k] for k in keys): r for r in rows}, keys


def revisions(old_dir: Path, new_dir: Path, reason: str) -> list[dict[str, str]]:
    """Every published cell of the CSV tables that differs between two releases, as it
    was published: a hidden figure is its empty cell, so a newly hidden cell is a
    change. A row only one side has is listed cell by cell as `added` or `removed`."""
    changes: list[dict[str, str]] = []
    for table in PRIMARY_KEYS:
        old_path, new_path = old_dir / f"{table}.csv", new_dir / f"{table}.csv"
        old_header, old, keys = _read_table(old_path) if old_path.is_file() else ([], {}, [])
        new_header, new, new_keys = _read_table(new_path) if new_path.is_file() else ([], {}, [])
        keys = keys or new_keys
        columns = [c for c in dict.fromkeys([*new_header, *old_header]) if c not in keys]
        for key in sorted(old.keys() | new.keys()):
            before, after = old.get(key), new.get(key)
            change = (
                "changed"
                if before is not None and after is not None
                else "added"
                if after is not None
                else "removed"
            )
            for column in columns:
                was = before.get(column, "") if before else ""
                now = after.get(column, "") if after else ""
                if change != "changed" or was != now:
                    changes.append(
                        {
                            "table": table,
                            "keys": ";".join(f"{k}={v}" for k, v in zip(keys, key, strict=True)),
                            "column": column,
                            "old": was,
                            "new": now,
                            "change": change,
                            "reason": reason,
                        }
                    )
    return changes


def revisions_csv(changes: list[dict[str, str]]) -> str:
    """As the published tables are written: UTF-8, LF line ends, no BOM."""
    out = io.StringIO()
    writer = csv.DictWriter(out, REVISION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(changes)
    return out.getvalue()


def manifest(
    release: Release,
    year: int,
    version: str,
    settings: dict[str, object],
    inputs: list[dict[str, object]],
    outputs: list[dict[str, object]],
) -> dict[str, object]:
    """What the release is and every file it holds with its SHA-256; `inputs` also name
    the submission each file was, so a figure can be traced to what a region sent."""
    return {
        "year": year,
        "release": release.number,
        "name": release.name,
        "date": release.date.isoformat(),
        "note": release.note,
        "previous": version_name(release.number - 1) if release.number > 1 else None,
        "revised_cells": release.revised_cells,
        "missing_regions": list(release.missing_regions),
        "tool_version": version,
        "settings": settings,
        "inputs": [{k: v for k, v in i.items() if k != "archive"} for i in inputs],
        "outputs": outputs,
    }


def manifest_json(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_manifests(year_dir: Path) -> list[dict[str, Any]]:
    """The year's releases, oldest first, as their manifests say."""
    return [
        json.loads((year_dir / version_name(n) / MANIFEST).read_text(encoding="utf-8"))
        for n in release_numbers(year_dir)
    ]


def write_release(
    year_dir: Path,
    release: Release,
    year: int,
    reports: Path,
    inputs: list[dict[str, object]],
    version: str,
    settings: dict[str, object],
) -> Path:
    """`<year_dir>/v<n>/`: the year's outputs, the inputs in force, the revisions against
    the previous release and the manifest. Written beside it under a temporary name and
    renamed at the end, so a failed release leaves no half-written one; an existing
    release is never replaced."""
    final = year_dir / release.name
    if final.exists():
        raise ValueError(f"release {final} exists already; releases are never overwritten")
    tmp = year_dir / f".{release.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    year_dir.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(reports, tmp / OUTPUTS)
        for i in inputs:
            target = tmp / str(i["path"])
            freeze(Path(str(i["archive"])), target)
            if file_sha256(target) != i["sha256"]:
                raise ValueError(f"{i['archive']} is not the file its receipt names")
        written = [f"{OUTPUTS}/{f['path']}" for f in file_hashes(tmp / OUTPUTS)]
        if release.number > 1:
            changes = revisions(
                tables_of(year_dir, release.number - 1), tmp / OUTPUTS / "tables", release.note
            )
            (tmp / REVISIONS).write_text(revisions_csv(changes), encoding="utf-8")
            written.append(REVISIONS)
            release = replace(release, revised_cells=len(changes))
        hashes = {f["path"]: f for f in file_hashes(tmp)}
        data = manifest(release, year, version, settings, inputs, [hashes[p] for p in written])
        (tmp / MANIFEST).write_text(manifest_json(data), encoding="utf-8")
        for path in tmp.rglob("*"):
            if path.is_file() and not path.is_relative_to(tmp / INPUTS):
                path.chmod(0o444)
        _sync(tmp)
        os.rename(tmp, final)
        _sync(year_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _sync(directory: Path) -> None:
    """A release survives a power cut once renamed: its files' names are on disk."""
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
