"""The collection status of a year as a JSON snapshot, for readers outside the pipeline.

DuckDB allows one writing process, the pipeline, so the portal must not open
the warehouse; it reads this file instead, which the pipeline rewrites after
each run of a year. The snapshot names files, verdicts and issue counts only:
no issue values, no rows, nothing a region's file says about a person.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.files import replace_atomically

# The register says "received" until a verdict is recorded; readers are told "pending".
STATUS_NAMES = {"received": "pending", "accepted": "accepted", "rejected": "rejected"}


def _utc(moment: datetime) -> str:
    """The warehouse's timestamps are naive UTC; readers get them unambiguous."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def build_status(
    con: duckdb.DuckDBPyConnection, year: int, written_at: datetime | None = None
) -> dict[str, Any]:
    """Every submission of the year with its verdict, and what is in force per region and kind.

    `errors` counts fatal and error issues; `errors`, `warnings` and `rows` are
    null while a submission is pending, and `kind` for a file that could not be
    read as either kind.
    """
    cursor = con.execute(
        "SELECT s.submission_id, s.region_code, s.kind, s.file_name, s.sha256, s.received_at, "
        "s.status, f.submission_id IS NOT NULL AS in_force, s.errors, s.warnings, s.rows "
        "FROM submissions s LEFT JOIN submissions_in_force f USING (submission_id) "
        "WHERE s.year = ? ORDER BY s.region_code, s.received_at, s.submission_id",
        [year],
    )
    names = [column[0] for column in cursor.description]
    submissions = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    in_force: dict[str, dict[str, dict[str, Any]]] = {}
    for s in submissions:
        s["received_at"] = _utc(s["received_at"])
        s["status"] = STATUS_NAMES[s["status"]]
        if s["in_force"]:
            in_force.setdefault(s["region_code"], {})[s["kind"]] = {
                "sha256": s["sha256"],
                "submission_id": s["submission_id"],
                "rows": s["rows"],
            }
    return {
        "year": year,
        "written_at": _utc(written_at or datetime.now(UTC)),
        "submissions": submissions,
        "in_force": {
            region: dict(sorted(kinds.items())) for region, kinds in sorted(in_force.items())
        },
    }


def write_status(path: Path, status: dict[str, Any]) -> Path:
    """Replace the snapshot atomically: the portal may be reading it at that moment."""

    def dump(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(status, f, ensure_ascii=False, indent=2)
            f.write("\n")

    return replace_atomically(path, dump)


def read_status(path: Path) -> dict[str, Any] | None:
    """The snapshot as written last, or None before the year's first run."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)
