"""Published tables: disclosure control applied, formatted, written as tidy CSV.

The warehouse keeps the unsuppressed figures for analysts; only what passes
through here leaves it. Formatting is explicit (fixed decimals, LF line ends,
no BOM) so the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.core.disclosure import is_small, suppress_group
from pipelines.core.schema import Schema

NATIONAL_COLUMNS = [
    "year",
    "incidents",
    "missions",
    "incidents_per_1000_missions",
    "missions_per_incident",
    "regions_reporting",
]
REGION_COLUMNS = [
    "year",
    "region_code",
    "region_name",
    "incidents",
    "missions",
    "incidents_per_1000_missions",
    "missions_per_incident",
    "flag",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
BREAKDOWN_COLUMNS = ["year", "dimension", "category", "incidents", "percent", "flag"]
STATUS_FLAGS = {
    "not_submitted": "not_submitted",
    "missions_missing": "missions_missing",
    "incidents_missing": "incidents_missing",
    "complete": "",
}


@dataclass(frozen=True)
class Disclosure:
    threshold: int = 3
    unreliable_below: int = 20


def fmt(value: object, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if decimals is not None:
        return f"{float(value):.{decimals}f}"
    return str(value)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, year: int) -> list[dict[str, object]]:
    cur = con.execute(sql, [year])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def national_table(con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure) -> list[list[str]]:
    rows = _rows(con, "SELECT * FROM national_year_stats WHERE year = ?", year)
    out = []
    for r in rows:
        hide = is_small(r["incidents"], rules.threshold)
        out.append(
            [
                fmt(r["year"]),
                "" if hide else fmt(r["incidents"]),
                fmt(r["missions"]),
                "" if hide else fmt(r["incidents_per_1000_missions"], 4),
                "" if hide else fmt(r["missions_per_incident"], 1),
                fmt(r["regions_reporting"]),
            ]
        )
    return out


def national_total_published(con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure) -> bool:
    rows = con.execute(
        "SELECT incidents FROM national_year_stats WHERE year = ?", [year]
    ).fetchall()
    return bool(rows) and not is_small(rows[0][0], rules.threshold)


def region_table(
    con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure, schema: Schema, lang: str
) -> list[list[str]]:
    rows = _rows(con, "SELECT * FROM region_year_stats WHERE year = ? ORDER BY sort_order", year)
    complete = [i for i, r in enumerate(rows) if r["status"] == "complete"]
    hidden = [is_small(r["incidents"], rules.threshold) for r in rows]
    in_total = suppress_group(
        [rows[i]["incidents"] for i in complete],
        rules.threshold,
        total_published=national_total_published(con, year, rules),
    )
    for i, h in zip(complete, in_total, strict=True):
        hidden[i] = h
    names = schema.codelists["regions"]
    out = []
    for r, hide in zip(rows, hidden, strict=True):
        flag = STATUS_FLAGS[r["status"]]
        if hide:
            flag = "suppressed"
        elif not flag and r["incidents"] < rules.unreliable_below:
            flag = "unreliable"
        out.append(
            [
                fmt(r["year"]),
                fmt(r["region_code"]),
                names.label(r["region_code"], lang),
                "" if hide else fmt(r["incidents"]),
                fmt(r["missions"]),
                "" if hide else fmt(r["incidents_per_1000_missions"], 4),
                "" if hide else fmt(r["missions_per_incident"], 1),
                flag,
            ]
        )
    return out


def breakdown_table(
    con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure
) -> list[list[str]]:
    rows = _rows(
        con,
        "SELECT * FROM breakdown_stats WHERE year = ? ORDER BY dimension_order, category_order",
        year,
    )
    total_published = national_total_published(con, year, rules)
    out = []
    dimensions = list(dict.fromkeys(r["dimension"] for r in rows))
    for dimension in dimensions:
        group = [r for r in rows if r["dimension"] == dimension]
        hidden = suppress_group(
            [r["incidents"] for r in group],
            rules.threshold,
            total_published=total_published,
        )
        for r, hide in zip(group, hidden, strict=True):
            out.append(
                [
                    fmt(r["year"]),
                    fmt(dimension),
                    fmt(r["category"]),
                    "" if hide else fmt(r["incidents"]),
                    "" if hide else fmt(r["percent"], 1),
                    "suppressed" if hide else "",
                ]
            )
    return out


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell that starts like one (=, +, -, @) and is
    not a number is prefixed with an apostrophe, so Excel shows it as text."""
    if value[:1] in FORMULA_STARTS and not NUMBER_RE.match(value):
        return "'" + value
    return value


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write through a temporary file and rename, so a reader never sees half a table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in r] for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    os.replace(tmp, path)


def publish_tables(
    con: duckdb.DuckDBPyConnection,
    year: int,
    out_dir: Path,
    rules: Disclosure,
    schema: Schema,
    lang: str,
) -> dict[str, Path]:
    tables = {
        "national": (NATIONAL_COLUMNS, national_table(con, year, rules)),
        "regions": (REGION_COLUMNS, region_table(con, year, rules, schema, lang)),
        "breakdowns": (BREAKDOWN_COLUMNS, breakdown_table(con, year, rules)),
    }
    paths = {}
    for name, (header, rows) in tables.items():
        paths[name] = out_dir / f"{name}.csv"
        write_csv(paths[name], header, rows)
    return paths
