"""Which files in the inbox the warehouse has not registered yet.

The sensor that starts runs must not open the warehouse (a run may be writing
it, and DuckDB has one writer), so it compares the inbox with the status
snapshot each run leaves behind: a file whose SHA-256 the snapshot does not
list is new. The same set of new files always gives the same run key, so one
arrival never starts two runs, and a file missed while nothing was watching
is found on the next look.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.inbox import scan_inbox
from pipelines.settings import FIRST_YEAR, Settings
from pipelines.warehouse.snapshot import read_status


@dataclass(frozen=True)
class Arrivals:
    """A year's files not yet registered, by content hash (sorted)."""

    year: int
    sha256s: tuple[str, ...]

    @property
    def run_key(self) -> str:
        digest = hashlib.sha256("\n".join(self.sha256s).encode()).hexdigest()
        return f"{self.year}-{digest[:16]}"


def inbox_years(inbox: Path, last_year: int) -> list[int]:
    """The years that have a folder in the inbox, within the years the pipeline knows."""
    if not inbox.is_dir():
        return []
    found = (int(p.name) for p in inbox.iterdir() if p.is_dir() and p.name.isdigit())
    return sorted(y for y in found if FIRST_YEAR <= y <= last_year)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def arrivals(settings: Settings, last_year: int) -> list[Arrivals]:
    """Per year, the inbox files whose content the year's snapshot does not list."""
    found = []
    for year in inbox_years(settings.inbox, last_year):
        files, _ = scan_inbox(settings.inbox, year)
        status = read_status(settings.status_path(year)) or {"submissions": []}
        known = {s["sha256"] for s in status["submissions"]}
        new = sorted({file_sha256(f.path) for f in files} - known)
        if new:
            found.append(Arrivals(year, tuple(new)))
    return found
