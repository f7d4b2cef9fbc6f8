"""What the yearly report shows, gathered once from the warehouse.

Only published values (through `tables.published_*`) enter the report, so a
chart, a table or a sentence cannot show what disclosure control hid. The
gathered data is language-neutral; the view (`view.py`) puts it into each
language's words, labels and symbols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.schema import SCHEMA_DIR, Schema, read_yaml
from pipelines.publish.release import Release
from pipelines.publish.tables import (
    Disclosure,
    Row,
    published_breakdowns,
    published_heatmap,
    published_national,
    published_regions,
)

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"


@cache
def load_series_breaks() -> dict[int, dict[str, str]]:
    return {int(k): v for k, v in read_yaml(SCHEMA_DIR / "series_breaks.yaml").items()}


@dataclass
class ReportData:
    year: int
    rules: Disclosure
    national: Row
    previous: Row | None
    regions: list[Row]
    breakdowns: list[Row]
    heatmap: list[list[int | None]]
    unknown_time: int | None
    trend: list[Row]
    quality: list[Row]
    breaks: dict[int, dict[str, str]]
    version: str
    regions_total: int = 22
    notes: list[str] = field(default_factory=list)
    # Set when the report is made for a release; a plain run's report names none.
    release: Release | None = None
    # The regions' reasons for plausibility warnings on the files in force (no free text).
    explained: list[Row] = field(default_factory=list)


QUALITY_SQL = """
WITH s AS (SELECT * FROM submissions WHERE year = $year),
f AS (SELECT * FROM submissions_in_force WHERE year = $year)
SELECT r.region_code, r.status, r.months_reported,
    (SELECT max(received_at)::DATE FROM f WHERE f.region_code = r.region_code) AS received,
    (SELECT count(*) FROM s WHERE s.region_code = r.region_code) AS files,
    (SELECT count(*) FROM s WHERE s.region_code = r.region_code AND s.status = 'rejected')
        AS rejected,
    (SELECT coalesce(sum(warnings), 0) FROM f WHERE f.region_code = r.region_code) AS warnings,
    EXISTS (
        SELECT 1 FROM s JOIN f ON s.region_code = f.region_code AND s.kind = f.kind
        WHERE s.region_code = r.region_code AND s.status = 'rejected'
          AND s.submission_id > f.submission_id) AS rejected_after_in_force
FROM region_year_stats r WHERE r.year = $year ORDER BY r.sort_order
"""


def gather(
    con: duckdb.DuckDBPyConnection,
    year: int,
    rules: Disclosure,
    schema: Schema,
    version: str,
    release: Release | None = None,
    explanations: list[dict[str, Any]] | None = None,
) -> ReportData:
    years = [
        y
        for (y,) in con.execute(
            "SELECT year FROM national_year_stats WHERE regions_reporting > 0 AND year <= ? "
            "ORDER BY year",
            [year],
        ).fetchall()
    ]
    trend = [published_national(con, y, rules)[0] for y in years]
    previous = next((r for r in trend if r["year"] == year - 1), None)
    cur = con.execute(QUALITY_SQL, {"year": year})
    names = [d[0] for d in cur.description]
    quality = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    breakdowns = published_breakdowns(con, year, rules)
    heat, unknown = published_heatmap(con, year, rules, breakdowns)
    return ReportData(
        year=year,
        rules=rules,
        national=published_national(con, year, rules)[0],
        previous=previous,
        regions=published_regions(con, year, rules, schema, "fi"),
        breakdowns=breakdowns,
        heatmap=heat,
        unknown_time=unknown,
        trend=trend,
        quality=quality,
        breaks=load_series_breaks(),
        version=version,
        regions_total=len(schema.codelists["regions"].codes),
        release=release,
        explained=explained_in_force(con, year, explanations or []),
    )


def explained_in_force(
    con: duckdb.DuckDBPyConnection, year: int, explanations: list[dict[str, Any]]
) -> list[Row]:
    """The explanations of the files the statistics come from (an explanation of a file
    later replaced explains nothing published), region, check and reason only: the
    free text may name a person or a count that disclosure control hides."""
    in_force = {
        sha
        for (sha,) in con.execute(
            "SELECT s.sha256 FROM submissions_in_force f JOIN submissions s USING (submission_id) "
            "WHERE f.year = ?",
            [year],
        ).fetchall()
    }
    return sorted(
        (
            {"region_code": e["region_code"], "rule": e["rule"], "reason": e["reason"]}
            for e in explanations
            if e["sha256"] in in_force
        ),
        key=lambda e: (e["region_code"], e["rule"], e["reason"]),
    )
