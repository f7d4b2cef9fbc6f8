"""The DuckDB warehouse: verdicts, staged rows, data in force, statistics.

The register (`pipelines.register`) owns receipts and what is in force; the
warehouse keeps, under the register's receipt ids, each received file's verdict
and accepted rows, and a copy of the register's files in force per year taken by
the run that loaded them (`register_in_force`), so that it can be rebuilt from
the register and the archive at any time.

Every function takes an open connection, so the same code serves the Dagster
resource, the CLI and the tests. Table layouts of submitted data are derived
from the contracts; free-text columns are never stored (data minimisation:
they are not needed for any statistic and may hold personal data).

Each accepted row is written once, to `staged_<kind>`, which keeps every
accepted submission (those no longer in force too, for history and re-runs).
The year tables `incidents` and `missions` are views of the staged rows of the
submissions in force: copying a million rows into a second table cost more
than validating them, and a view can never disagree with the register.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.contract.issues import Issue, make_issue
from pipelines.contract.schema import Contract, Schema
from pipelines.validate.verdict import Verdict

SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "time": "TIME",
    "integer": "INTEGER",
}


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a failure (or a killed process) leaves the previous state."""
    con.execute("BEGIN")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def stored_columns(contract: Contract) -> list[tuple[str, str]]:
    return [(c.name, SQL_TYPES[c.type]) for c in contract.columns if not c.free_text]


def ensure_schema(con: duckdb.DuckDBPyConnection, schema: Schema) -> None:
    """Create missing tables and refresh the reference tables from the code lists."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS submission_seq START 1")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS submissions (
            submission_id INTEGER PRIMARY KEY,
            year INTEGER NOT NULL,
            region_code VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            received_at TIMESTAMP NOT NULL,
            archive_path VARCHAR NOT NULL,
            kind VARCHAR,
            status VARCHAR NOT NULL,
            validated_at TIMESTAMP,
            rows INTEGER,
            errors INTEGER,
            warnings INTEGER
        )"""
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS register_in_force (year INTEGER NOT NULL, "
        "region_code VARCHAR NOT NULL, kind VARCHAR NOT NULL, submission_id INTEGER NOT NULL, "
        "PRIMARY KEY (year, region_code, kind))"
    )
    _check_built_from_register(con)
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS submission_issues (
            submission_id INTEGER NOT NULL,
            severity VARCHAR NOT NULL,
            "row" INTEGER,
            "column" VARCHAR,
            value VARCHAR,
            rule VARCHAR NOT NULL,
            message VARCHAR NOT NULL
        )"""
    )
    for contract in schema.contracts.values():
        cols = ", ".join(f'"{n}" {t}' for n, t in stored_columns(contract))
        con.execute(
            f"CREATE TABLE IF NOT EXISTS staged_{contract.kind} "
            f"(submission_id INTEGER NOT NULL, row_number INTEGER NOT NULL, {cols})"
        )
    con.execute(
        """
        CREATE OR REPLACE VIEW submissions_in_force AS
        SELECT s.* FROM submissions s JOIN register_in_force r USING (submission_id)
        WHERE s.status = 'accepted'"""
    )
    tables = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
    }
    for contract in schema.contracts.values():
        if contract.kind in tables:
            # A warehouse from before the year tables were views: the table held a copy
            # of the staged rows in force, which the view gives without copying.
            con.execute(f"DROP TABLE {contract.kind}")
        for sql in in_force_views(contract):
            con.execute(sql)
    rows = [
        (name, code, order, labels["fi"], labels["sv"], labels["en"])
        for name, codelist in schema.codelists.items()
        for order, (code, labels) in enumerate(codelist.codes.items(), start=1)
    ]
    with transaction(con):
        con.execute(
            "CREATE OR REPLACE TABLE ref_codes (codelist VARCHAR, code VARCHAR, "
            "sort_order INTEGER, "
            "label_fi VARCHAR, label_sv VARCHAR, label_en VARCHAR)"
        )
        con.executemany("INSERT INTO ref_codes VALUES (?, ?, ?, ?, ?, ?)", rows)


def in_force_views(contract: Contract) -> list[str]:
    """The year table of a kind, as two views of the staged rows of the submissions in
    force: `in_force_<kind>` unordered, for the aggregates and checks (an ORDER BY in
    a view is a sort of every row each time it is read, even by a count), and
    `<kind>` in the order the copied table had (year, region, spreadsheet row;
    the submission breaks ties the gate refuses anyway), so that reading it whole
    stays deterministic."""
    kind = contract.kind
    cols = ", ".join(f's."{n}"' for n, _ in stored_columns(contract) if n != "year")
    return [
        f"CREATE OR REPLACE VIEW in_force_{kind} AS "
        f"SELECT f.year, s.submission_id, s.row_number, {cols} "
        f"FROM staged_{kind} s JOIN submissions_in_force f USING (submission_id) "
        f"WHERE f.kind = '{kind}'",
        f"CREATE OR REPLACE VIEW {kind} AS SELECT * FROM in_force_{kind} "
        "ORDER BY year, region_code, row_number, submission_id",
    ]


class NotFromRegister(Exception):
    """A warehouse made before the register, whose submission ids are not receipt ids."""


def _check_built_from_register(con: duckdb.DuckDBPyConnection) -> None:
    """A new warehouse is marked as the register's; one from before the register (its
    own submission ids, in force by its own rule) must be rebuilt, not mixed with
    receipt ids."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS warehouse_info (key VARCHAR PRIMARY KEY, value VARCHAR)"
    )
    marked = con.execute("SELECT value FROM warehouse_info WHERE key = 'ids'").fetchall()
    if marked:
        return
    if con.execute("SELECT count(*) FROM submissions").fetchall()[0][0]:
        raise NotFromRegister(
            "the warehouse was made before the register: run `evstats rebuild` to make it "
            "again from the register and the archive"
        )
    con.execute("INSERT INTO warehouse_info VALUES ('ids', 'register')")


@dataclass(frozen=True)
class Loaded:
    """A receipt as the warehouse records it, under the register's id."""

    submission_id: int
    year: int
    region_code: str
    file_name: str
    sha256: str
    size_bytes: int
    received_at: datetime
    archive_path: str


def loaded_ids(con: duckdb.DuckDBPyConnection, year: int) -> set[int]:
    """The receipts of the year the warehouse holds already."""
    return {
        int(r[0])
        for r in con.execute(
            "SELECT submission_id FROM submissions WHERE year = ?", [year]
        ).fetchall()
    }


def insert_issues(con: duckdb.DuckDBPyConnection, submission_id: int, issues: list[Issue]) -> None:
    con.executemany(
        "INSERT INTO submission_issues VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(submission_id, i.severity, i.row, i.column, i.value, i.rule, i.message) for i in issues],
    )


class ArrowStream:
    """A frame handed to DuckDB through the Arrow C stream interface, without pyarrow:
    DuckDB would turn a Polars frame into a pyarrow table first, and importing
    pyarrow alone took longer than inserting 100,000 rows."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


def record_verdicts(
    con: duckdb.DuckDBPyConnection,
    verdicts: list[tuple[Loaded, Verdict, Contract | None]],
    validated_at: datetime,
    year: int,
    in_force: list[tuple[str, str, int]],
) -> None:
    """Store the receipts, their verdicts, issues and accepted rows, and the register's
    files in force of the year, all in one transaction: a crash leaves the warehouse as
    it was, to be loaded again, and one commit instead of one per file saves seconds at
    a million rows. The accepted rows of a kind go in a few files at a time, up to
    `INSERT_ROWS` an insert: DuckDB spreads an insert that large over its threads (one
    insert per small file did not), and a copy of a whole year's rows at once, for one
    insert per kind, was gigabytes at ten million rows. Each verdict's frame is let go
    (set to None) once its rows are gathered, so that they are freed as they go in."""
    staged: dict[str, list[pl.DataFrame]] = {}
    with transaction(con):
        for loaded, verdict, contract in verdicts:
            submission_id = loaded.submission_id
            con.execute(
                "INSERT INTO submissions (submission_id, year, region_code, file_name, sha256, "
                "size_bytes, received_at, archive_path, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received')",
                [
                    submission_id,
                    loaded.year,
                    loaded.region_code,
                    loaded.file_name,
                    loaded.sha256,
                    loaded.size_bytes,
                    loaded.received_at,
                    loaded.archive_path,
                ],
            )
            _record_verdict(con, submission_id, verdict, validated_at)
            if verdict.accepted and verdict.frame is not None and contract is not None:
                names = [n for n, _ in stored_columns(contract)]
                frames = staged.setdefault(contract.kind, [])
                frames.append(
                    verdict.frame.select(
                        pl.lit(submission_id, dtype=pl.Int32).alias("submission_id"),
                        pl.col("_row").cast(pl.Int32).alias("row_number"),
                        *[pl.col(n) for n in names],
                    )
                )
                verdict.frame = None  # its rows are in `frames` until inserted
                if sum(f.height for f in frames) >= INSERT_ROWS:
                    _insert_staged(con, contract.kind, frames)
        for kind, frames in staged.items():
            _insert_staged(con, kind, frames)
        con.execute("DELETE FROM register_in_force WHERE year = ?", [year])
        if in_force:
            con.executemany(
                "INSERT INTO register_in_force VALUES (?, ?, ?, ?)",
                [(year, region, kind, sid) for region, kind, sid in in_force],
            )


# The rows an insert of staged rows gathers before it goes: enough for DuckDB to use
# every thread, few enough that their copy stays a small part of a large year.
INSERT_ROWS = 500_000


def _insert_staged(con: duckdb.DuckDBPyConnection, kind: str, frames: list[pl.DataFrame]) -> None:
    """Insert the gathered frames of a kind, in their order, and empty the list."""
    if frames:
        con.register("_staged", ArrowStream(pl.concat(frames)))
        con.execute(f"INSERT INTO staged_{kind} SELECT * FROM _staged")
        con.unregister("_staged")
        frames.clear()


def _record_verdict(
    con: duckdb.DuckDBPyConnection, submission_id: int, verdict: Verdict, validated_at: datetime
) -> None:
    con.execute(
        "UPDATE submissions SET kind = ?, status = ?, validated_at = ?, rows = ?, errors = ?, "
        "warnings = ? WHERE submission_id = ?",
        [
            verdict.kind,
            "accepted" if verdict.accepted else "rejected",
            validated_at,
            verdict.rows,
            verdict.count("fatal") + verdict.count("error"),
            verdict.count("warning"),
            submission_id,
        ],
    )
    if verdict.issues:
        insert_issues(con, submission_id, verdict.issues)


def contract_violations(
    con: duckdb.DuckDBPyConnection, contract: Contract, year: int
) -> dict[str, int]:
    """Re-check the data in force against the contract, in SQL: the gate before statistics.

    Validation already refused bad files; this guards against anything that
    could slip past it (a bug, a hand edit of the warehouse) before a figure
    is computed from it. Returns {check: offending row count}, only non-zero.
    """
    t = f"in_force_{contract.kind}"
    checks = {
        # The view holds rows of accepted submissions in force of its kind only, so what
        # is left to check is that each row is of the region its submission was made for.
        "not_from_accepted_submission": (
            f"SELECT count(*) FROM {t} d JOIN submissions_in_force f USING (submission_id) "
            f"WHERE d.year = $year AND f.region_code <> d.region_code"
        )
    }
    for c in contract.columns:
        if c.free_text or c.name == "year":
            continue
        col = f'd."{c.name}"'
        if c.required:
            checks[f"{c.name}_missing"] = (
                f"SELECT count(*) FROM {t} d WHERE year = $year AND {col} IS NULL"
            )
        if c.codelist:
            checks[f"{c.name}_not_in_code_list"] = (
                f"SELECT count(*) FROM {t} d WHERE year = $year AND {col} IS NOT NULL "
                f"AND {col} NOT IN (SELECT code FROM ref_codes WHERE codelist = '{c.codelist}')"
            )
        bounds = [
            f"{col} < {c.min}" if c.min is not None else "",
            f"{col} > {c.max}" if c.max is not None else "",
        ]
        if c.within_reporting_year:
            bounds.append(f"year({col}) <> $year")
        if any(bounds):
            cond = " OR ".join(b for b in bounds if b)
            checks[f"{c.name}_out_of_range"] = (
                f"SELECT count(*) FROM {t} d WHERE year = $year AND ({cond})"
            )
    if contract.unique_key:
        key = ", ".join(f'"{k}"' for k in contract.unique_key)
        checks["duplicate_key"] = (
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {t} "
            f"WHERE year = $year GROUP BY region_code, {key})"
        )
    found = {}
    for name, sql in checks.items():
        n = int(con.execute(sql, {"year": year}).fetchall()[0][0])
        if n:
            found[name] = n
    return found


def record_cross_file_warnings(
    con: duckdb.DuckDBPyConnection, schema: Schema, year: int, lang: str
) -> list[tuple[str, Issue]]:
    """Warnings that need both files of a region: a zero mission total beside incidents.

    Recorded on the missions submission in force, once; returns (region, issue) of new ones.
    """
    rows = con.execute(
        """
        WITH m AS (
            SELECT f.submission_id, f.region_code, sum(s.missions) AS total
            FROM submissions_in_force f JOIN staged_missions s USING (submission_id)
            WHERE f.year = $year AND f.kind = 'missions' GROUP BY ALL),
        i AS (
            SELECT f.region_code, count(*) AS n
            FROM submissions_in_force f JOIN staged_incidents s USING (submission_id)
            WHERE f.year = $year AND f.kind = 'incidents' GROUP BY ALL)
        SELECT m.submission_id, m.region_code, i.n FROM m JOIN i USING (region_code)
        WHERE m.total = 0 AND i.n > 0
          AND NOT EXISTS (
            SELECT 1 FROM submission_issues x
            WHERE x.submission_id = m.submission_id AND x.rule = 'missions_zero_with_incidents')
        ORDER BY m.region_code""",
        {"year": year},
    ).fetchall()
    found = []
    for submission_id, region, n in rows:
        issue = make_issue(
            schema, "missions_zero_with_incidents", lang, column="missions", year=year, found=n
        )
        insert_issues(con, submission_id, [issue])
        con.execute(
            "UPDATE submissions SET warnings = warnings + 1 WHERE submission_id = ?",
            [submission_id],
        )
        found.append((region, issue))
    return found
