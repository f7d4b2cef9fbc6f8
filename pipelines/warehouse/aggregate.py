"""Yearly statistics as SQL in DuckDB, unsuppressed: the analysts' figures.

National figures and breakdowns cover the regions whose submission is
complete (both an incidents and a missions file in force), so that the
numerator and the denominator of every rate describe the same regions.
"""

from __future__ import annotations

import duckdb

from pipelines.contract.schema import Contract
from pipelines.warehouse.store import transaction

REGION_STATUS_SQL = """
WITH regions AS (
    SELECT code AS region_code, sort_order FROM ref_codes WHERE codelist = 'regions'
),
force AS (
    SELECT region_code,
           bool_or(kind = 'incidents') AS has_incidents,
           bool_or(kind = 'missions') AS has_missions
    FROM submissions_in_force WHERE year = $year GROUP BY region_code
),
inc AS (
    SELECT region_code, count(*) AS n
    FROM in_force_incidents WHERE year = $year GROUP BY region_code
),
mis AS (
    SELECT region_code, sum(missions) AS m, count(*) AS months
    FROM in_force_missions WHERE year = $year GROUP BY region_code
)
SELECT
    $year AS year,
    r.region_code,
    r.sort_order,
    CASE
        WHEN coalesce(f.has_incidents, false) AND coalesce(f.has_missions, false) THEN 'complete'
        WHEN coalesce(f.has_incidents, false) THEN 'missions_missing'
        WHEN coalesce(f.has_missions, false) THEN 'incidents_missing'
        ELSE 'not_submitted'
    END AS status,
    CASE WHEN f.has_incidents THEN coalesce(inc.n, 0) END AS incidents,
    CASE WHEN f.has_missions THEN coalesce(mis.m, 0) END AS missions,
    CASE WHEN f.has_missions THEN coalesce(mis.months, 0) END AS months_reported
FROM regions r
LEFT JOIN force f USING (region_code)
LEFT JOIN inc USING (region_code)
LEFT JOIN mis USING (region_code)
"""


HOUR_BANDS = 6  # the heat map's bands of four hours: 00–04, 04–08, …, 20–24


def replace_year(
    con: duckdb.DuckDBPyConnection, table: str, columns: str, select: str, year: int
) -> int:
    """Rebuild one year of a statistics table in a transaction; returns its row count."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
        con.execute(f"INSERT INTO {table} {select}", {"year": year})
        count = con.execute(f"SELECT count(*) FROM {table} WHERE year = ?", [year]).fetchall()
    return int(count[0][0])


def build_region_year_stats(con: duckdb.DuckDBPyConnection, year: int) -> int:
    """Every region of the code list, with its submission status; returns 22."""
    return replace_year(
        con,
        "region_year_stats",
        """year INTEGER, region_code VARCHAR, sort_order INTEGER, status VARCHAR,
        incidents BIGINT, missions BIGINT, months_reported INTEGER,
        incidents_per_1000_missions DOUBLE, missions_per_incident DOUBLE""",
        f"""SELECT *,
            CASE WHEN missions > 0 AND incidents IS NOT NULL THEN 1000.0 * incidents / missions END,
            CASE WHEN incidents > 0 AND missions IS NOT NULL THEN missions::DOUBLE / incidents END
        FROM ({REGION_STATUS_SQL}) ORDER BY sort_order""",
        year,
    )


def build_national_year_stats(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, object]:
    """The year's national row, over the regions with a complete submission."""
    replace_year(
        con,
        "national_year_stats",
        """year INTEGER, incidents BIGINT, missions BIGINT, incidents_per_1000_missions DOUBLE,
        missions_per_incident DOUBLE, regions_reporting INTEGER, regions_total INTEGER""",
        """SELECT year, incidents, missions,
            CASE WHEN missions > 0 THEN 1000.0 * incidents / missions END,
            CASE WHEN incidents > 0 THEN missions::DOUBLE / incidents END,
            regions_reporting, regions_total
        FROM (
            SELECT $year AS year,
                coalesce(sum(incidents) FILTER (WHERE status = 'complete'), 0) AS incidents,
                coalesce(sum(missions) FILTER (WHERE status = 'complete'), 0) AS missions,
                count(*) FILTER (WHERE status = 'complete') AS regions_reporting,
                count(*) AS regions_total
            FROM region_year_stats WHERE year = $year)""",
        year,
    )
    cur = con.execute("SELECT * FROM national_year_stats WHERE year = ?", [year])
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


def breakdown_sql(contract: Contract) -> str:
    """Every dimension's counts over the code list, so empty categories show as 0.

    The rows are read once and grouped by each dimension in the same pass (GROUPING
    SETS): a SELECT per dimension read a million rows a dozen times."""
    dimensions = contract.breakdown_dimensions()
    cells = [f"c{k}" for k in range(1, len(dimensions) + 1)]
    which = " ".join(f"WHEN grouping({c}) = 0 THEN {k}" for k, c in enumerate(cells, 1))
    categories = ", ".join(
        f"coalesce({expr}, 'unknown') AS {c}"
        for c, (_, _, expr) in zip(cells, dimensions, strict=True)
    )
    grouping_sets = ", ".join(f"({c})" for c in cells)
    values = ", ".join(
        f"('{dimension}', {order}, '{codelist}')"
        for order, (dimension, codelist, _) in enumerate(dimensions, start=1)
    )
    return f"""WITH found AS (
            SELECT CASE {which} END AS dimension_order,
                coalesce({", ".join(cells)}) AS category, count(*) AS incidents
            FROM (SELECT {categories} FROM counted)
            GROUP BY GROUPING SETS ({grouping_sets})),
        dimensions (dimension, dimension_order, codelist) AS (VALUES {values})
        SELECT d.dimension, d.dimension_order, c.code AS category,
            c.sort_order AS category_order, coalesce(f.incidents, 0) AS incidents
        FROM dimensions d JOIN ref_codes c ON c.codelist = d.codelist
        LEFT JOIN found f ON f.dimension_order = d.dimension_order AND f.category = c.code"""


def build_breakdown_stats(con: duckdb.DuckDBPyConnection, contract: Contract, year: int) -> int:
    """Counts and shares per category of each dimension, over the reporting regions, and
    the heat map's cells (`heatmap_stats`); returns the breakdowns' row count."""
    count = replace_year(
        con,
        "breakdown_stats",
        """year INTEGER, dimension VARCHAR, dimension_order INTEGER, category VARCHAR,
        category_order INTEGER, incidents BIGINT, percent DOUBLE""",
        f"""WITH counted AS (
            SELECT i.* FROM in_force_incidents i JOIN region_year_stats r
              ON r.year = i.year AND r.region_code = i.region_code AND r.status = 'complete'
            WHERE i.year = $year),
        cells AS ({breakdown_sql(contract)})
        SELECT $year, dimension, dimension_order, category, category_order, incidents,
            CASE WHEN sum(incidents) OVER (PARTITION BY dimension) > 0
                 THEN 100.0 * incidents / sum(incidents) OVER (PARTITION BY dimension) END
        FROM cells ORDER BY dimension_order, category_order""",
        year,
    )
    build_heatmap_stats(con, year)
    return count


def build_heatmap_stats(con: duckdb.DuckDBPyConnection, year: int) -> int:
    """Incidents by ISO weekday and band of hours, over the reporting regions: the heat
    map's cells, counted here with the other aggregates so that publishing reads
    aggregates only and its cost does not grow with the year's rows."""
    return replace_year(
        con,
        "heatmap_stats",
        "year INTEGER, weekday INTEGER, band INTEGER, incidents BIGINT",
        f"""SELECT $year, isodow(i.incident_date) AS weekday,
            hour(i.incident_time) // {24 // HOUR_BANDS} AS band, count(*)
        FROM in_force_incidents i JOIN region_year_stats r
          ON r.year = i.year AND r.region_code = i.region_code AND r.status = 'complete'
        WHERE i.year = $year AND i.incident_time IS NOT NULL
        GROUP BY weekday, band ORDER BY weekday, band""",
        year,
    )
