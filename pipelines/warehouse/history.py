"""Every region's figures of each year in force, for the plausibility checks.

The checks run in the validate stage, which may not read the warehouse, and in
the portal, which may not open it; so the pipeline hands them this history as
plain data: read here from the warehouse for its own verdicts, and written as
`status/history.json` after each run for the portal. Counts only: no rows, no
values a region's file says about a person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.warehouse.snapshot import read_status, write_status

IN_FORCE = "FROM submissions_in_force f JOIN staged_{kind} s USING (submission_id) "


def build_history(con: duckdb.DuckDBPyConnection, columns: list[str]) -> dict[str, Any]:
    """Region → year (a string, as JSON keys are) → `incidents` and `codes` (column → code
    → count, for `columns`) when an incidents file was in force, `missions` and
    `monthly_missions` when a missions file was: the shape the checks take.

    Counted from the staged rows of the submissions in force, so a year whose load was
    interrupted still counts what the register says is in force; an incidents file
    in force without rows is a zero, not a missing year."""
    regions: dict[str, dict[str, dict[str, Any]]] = {}

    def year_of(region: str, year: int) -> dict[str, Any]:
        return regions.setdefault(region, {}).setdefault(str(year), {})

    for region, year in con.execute(
        "SELECT region_code, year FROM submissions_in_force WHERE kind = 'incidents' ORDER BY ALL"
    ).fetchall():
        year_of(region, year).update(incidents=0, codes={c: {} for c in columns})
    for region, year, n in con.execute(
        "SELECT f.region_code, f.year, count(*) " + IN_FORCE.format(kind="incidents") + "WHERE "
        "f.kind = 'incidents' GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        year_of(region, year)["incidents"] = n
    for column in columns:
        for region, year, code, n in con.execute(
            f'SELECT f.region_code, f.year, s."{column}", count(*) '
            + IN_FORCE.format(kind="incidents")
            + f"WHERE f.kind = 'incidents' AND s.\"{column}\" IS NOT NULL "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall():
            year_of(region, year)["codes"][column][code] = n
    for region, year, month, n in con.execute(
        "SELECT f.region_code, f.year, s.month, sum(s.missions) "
        + IN_FORCE.format(kind="missions")
        + "WHERE f.kind = 'missions' GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        figures = year_of(region, year)
        figures.setdefault("monthly_missions", {})[str(month)] = int(n)
        figures["missions"] = figures.get("missions", 0) + int(n)
    for region, year in con.execute(
        "SELECT region_code, year FROM submissions_in_force WHERE kind = 'missions' ORDER BY ALL"
    ).fetchall():
        year_of(region, year).setdefault("missions", 0)
        year_of(region, year).setdefault("monthly_missions", {})
    return {region: dict(sorted(years.items())) for region, years in sorted(regions.items())}


def write_history(path: Path, history: dict[str, Any], written_at: datetime | None = None) -> Path:
    """Replace the snapshot atomically, as the status snapshot beside it."""
    written = (written_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return write_status(path, {"written_at": written, "regions": history})


def read_history(path: Path) -> dict[str, Any] | None:
    """The regions' history as written last, or None before the first run: then no
    plausibility checks, rather than every region judged as new."""
    document = read_status(path)
    return None if document is None else document["regions"]
