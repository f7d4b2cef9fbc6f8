"""The inbox and the archive: every submitted file is kept unchanged, first.

Files arrive in `inbox/<year>/<region_code>/`. Before anything reads them,
they are copied to `archive/<year>/<region_code>/<sha256>_<name>` and made
read-only; the archive is append-only and is what every later step reads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SUBMISSION_SUFFIXES = {".csv", ".xlsx"}


@dataclass(frozen=True)
class InboxFile:
    path: Path
    year: int
    region_code: str


@dataclass(frozen=True)
class ArchivedFile:
    source: InboxFile
    archive_path: Path
    sha256: str
    size_bytes: int
    received_at: datetime


def scan_inbox(inbox: Path, year: int) -> tuple[list[InboxFile], list[Path]]:
    """Submission files of a year, oldest first (a later file is a resubmission),
    and the other files found there, which are ignored but reported."""
    root = inbox / str(year)
    found: list[InboxFile] = []
    ignored: list[Path] = []
    if not root.is_dir():
        return found, ignored
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        region_dir = path.parent.relative_to(root)
        if (
            path.suffix.lower() in SUBMISSION_SUFFIXES
            and not path.name.startswith((".", "~$"))
            and len(region_dir.parts) == 1
        ):
            found.append(InboxFile(path, year, region_dir.parts[0]))
        else:
            ignored.append(path)
    found.sort(key=lambda f: (f.path.stat().st_mtime_ns, f.path.name))
    return found, ignored


def archive_file(f: InboxFile, archive: Path) -> ArchivedFile:
    """Copy a file into the archive under its content hash; the copy is read-only."""
    data = f.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    target = archive / str(f.year) / f.region_code / f"{digest}_{f.path.name}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(f.path, tmp)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(tmp, target)
    return ArchivedFile(f, target, digest, len(data), datetime.now(UTC).replace(tzinfo=None))
