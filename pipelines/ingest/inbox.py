"""The inbox folder, one of the channels files arrive by.

Regions (or their systems) may drop files into `inbox/<year>/<region_code>/`.
The folder is read only: the run's first step receives each new file into the
register (`validate.receipt.receive_folder`), which archives it unchanged under
its SHA-256 as it does every channel's files; later steps read the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import FIRST_YEAR

SUBMISSION_SUFFIXES = {".csv", ".xlsx"}


@dataclass(frozen=True)
class InboxFile:
    path: Path
    year: int
    region_code: str


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


def inbox_years(inbox: Path, last_year: int) -> list[int]:
    """The years that have a folder in the inbox, within the years the pipeline knows."""
    if not inbox.is_dir():
        return []
    found = (int(p.name) for p in inbox.iterdir() if p.is_dir() and p.name.isdigit())
    return sorted(y for y in found if FIRST_YEAR <= y <= last_year)
