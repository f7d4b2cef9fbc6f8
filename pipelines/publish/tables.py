"""Published tables: disclosure control applied once, here, for every output.

The warehouse keeps the unsuppressed figures for analysts; only what passes
through `published_*` leaves it, and the CSV tables, the report and the
workbook are all rendered from those values. CSV formatting is explicit
(fixed decimals, LF line ends, no BOM) so the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contract.schema import Schema
from pipelines.files import replace_atomically
from pipelines.publish.disclosure import is_small, suppress_group, suppress_table
from pipelines.warehouse.aggregate import HOUR_BANDS

Row = dict[str, object]

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
BREAKDOWN_COLUMNS = ["year", "dimension", "category", "incidents", "percent", "flag"]
DECIMALS = {"incidents_per_1000_missions": 4, "missions_per_incident": 1, "percent": 1}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
# The columns disclosure control empties in a hidden row, and each table's key.
HIDDEN_COLUMNS = {
    "national": ("incidents", "incidents_per_1000_missions", "missions_per_incident"),
    "regions": ("incidents", "incidents_per_1000_missions", "missions_per_incident"),
    "breakdowns": ("incidents", "percent"),
}
PRIMARY_KEYS = {
    "national": ("year",),
    "regions": ("year", "region_code"),
    "breakdowns": ("year", "dimension", "category"),
}
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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, year: int) -> list[Row]:
    cur = con.execute(sql, [year])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _hide(row: Row, keys: tuple[str, ...]) -> Row:
    return {k: (None if k in keys else v) for k, v in row.items()}


def published_national(con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure) -> list[Row]:
    out = []
    for r in _rows(con, "SELECT * FROM national_year_stats WHERE year = ? ORDER BY year", year):
        if is_small(r["incidents"], rules.threshold):
            r = _hide(r, HIDDEN_COLUMNS["national"])
        out.append({k: r[k] for k in NATIONAL_COLUMNS})
    return out


def national_total_published(con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure) -> bool:
    rows = con.execute(
        "SELECT incidents FROM national_year_stats WHERE year = ?", [year]
    ).fetchall()
    return bool(rows) and not is_small(rows[0][0], rules.threshold)


def published_regions(
    con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure, schema: Schema, lang: str
) -> list[Row]:
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
            r = _hide(r, HIDDEN_COLUMNS["regions"])
        elif not flag and r["incidents"] < rules.unreliable_below:
            flag = "unreliable"
        out.append(
            {
                **{k: r[k] for k in REGION_COLUMNS if k in r},
                "region_name": names.label(r["region_code"], lang),
                "flag": flag,
            }
        )
    return [{k: row[k] for k in REGION_COLUMNS} for row in out]


def published_breakdowns(con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure) -> list[Row]:
    rows = _rows(
        con,
        "SELECT * FROM breakdown_stats WHERE year = ? ORDER BY dimension_order, category_order",
        year,
    )
    total_published = national_total_published(con, year, rules)
    out = []
    for dimension in dict.fromkeys(r["dimension"] for r in rows):
        group = [r for r in rows if r["dimension"] == dimension]
        hidden = suppress_group(
            [r["incidents"] for r in group], rules.threshold, total_published=total_published
        )
        for r, hide in zip(group, hidden, strict=True):
            if hide:
                r = _hide(r, HIDDEN_COLUMNS["breakdowns"])
            out.append(
                {
                    **{k: r[k] for k in BREAKDOWN_COLUMNS if k in r},
                    "flag": "suppressed" if hide else "",
                }
            )
    return out


def published_heatmap(
    con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure, breakdowns: list[Row]
) -> tuple[list[list[int | None]], int | None]:
    """Incidents by ISO weekday (rows) and four-hour band (columns), over the reporting
    regions, and the number of incidents with no time as published in `breakdowns`
    (None when it is hidden).

    The heat map is linked to the published hour breakdown: its cells add up to the
    band totals, and all of them to the incidents with a time. A band holding an hour
    the breakdown hides is therefore hidden in full, or its total, that hour and, by
    the national total, the hidden number of incidents with no time could be
    recomputed; then every row and column is protected as a group."""
    cells = [[0] * HOUR_BANDS for _ in range(7)]
    rows = con.execute(
        "SELECT weekday, band, incidents FROM heatmap_stats WHERE year = ?", [year]
    ).fetchall()
    for weekday, band, n in rows:
        cells[weekday - 1][band] = n
    hours = [r for r in breakdowns if r["year"] == year and r["dimension"] == "hour"]
    unknown = next((r["incidents"] for r in hours if r["category"] == "unknown"), 0)
    hidden_bands = {
        int(r["category"]) // (24 // HOUR_BANDS)
        for r in hours
        if r["flag"] == "suppressed" and r["category"] != "unknown"
    }
    forced = [[band in hidden_bands for band in range(HOUR_BANDS)] for _ in range(7)]
    hidden = suppress_table(cells, rules.threshold, hidden=forced)
    published = [
        [None if h else v for v, h in zip(row, hrow, strict=True)]
        for row, hrow in zip(cells, hidden, strict=True)
    ]
    return published, None if unknown is None else int(unknown)


def csv_value(column: str, value: object) -> str:
    if value is None:
        return ""
    if column in DECIMALS:
        return f"{float(value):.{DECIMALS[column]}f}"
    return str(value)


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell that starts like one (=, +, -, @) and is
    not a number is prefixed with an apostrophe, so Excel shows it as text."""
    if value[:1] in FORMULA_STARTS and not NUMBER_RE.match(value):
        return "'" + value
    return value


def write_csv(path: Path, header: list[str], rows: list[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(csv_value(c, r[c])) for c in header] for r in rows)
    replace_atomically(path, lambda tmp: tmp.write_text(buffer.getvalue(), "utf-8", newline=""))


def is_suppressed(table: str, row: Row, column: str) -> bool:
    """Whether an empty cell was hidden by disclosure control (`..`) rather than being
    unavailable (`.`): a rate of an area that did not report, or of no incidents, is
    empty too. The national row has no flag; its count is never empty otherwise (0
    when no area reports)."""
    if column not in HIDDEN_COLUMNS[table] or row[column] is not None:
        return False
    if "flag" in row:
        return row["flag"] == "suppressed"
    return row["incidents"] is None


def yearly_tables(
    con: duckdb.DuckDBPyConnection, year: int, rules: Disclosure, schema: Schema, lang: str
) -> dict[str, tuple[list[str], list[Row]]]:
    """Every published table of the year, name to columns and rows: the one set of
    protected values the CSV tables, the PX files and the open dataset are written from."""
    return {
        "national": (NATIONAL_COLUMNS, published_national(con, year, rules)),
        "regions": (REGION_COLUMNS, published_regions(con, year, rules, schema, lang)),
        "breakdowns": (BREAKDOWN_COLUMNS, published_breakdowns(con, year, rules)),
    }


def write_tables(tables: dict[str, tuple[list[str], list[Row]]], out_dir: Path) -> dict[str, Path]:
    paths = {}
    for name, (header, rows) in tables.items():
        paths[name] = out_dir / f"{name}.csv"
        write_csv(paths[name], header, rows)
    return paths


def publish_tables(
    con: duckdb.DuckDBPyConnection,
    year: int,
    out_dir: Path,
    rules: Disclosure,
    schema: Schema,
    lang: str,
) -> dict[str, Path]:
    return write_tables(yearly_tables(con, year, rules, schema, lang), out_dir)
