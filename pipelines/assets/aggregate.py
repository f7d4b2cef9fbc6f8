"""Aggregate: the yearly statistics in DuckDB, before disclosure control."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, warehouse_connection
from pipelines.warehouse.aggregate import (
    build_breakdown_stats,
    build_national_year_stats,
    build_region_year_stats,
)


@dg.asset(
    group_name="aggregate", partitions_def=YEARS, deps=["incidents", "missions"], kinds={"duckdb"}
)
def region_year_stats(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Incidents, missions and rates of every region, with its submission status."""
    year = partition_year(context)
    with warehouse_connection(duckdb, evstats) as con:
        count = build_region_year_stats(con, year)
        rows = con.execute(
            "SELECT region_code, status, incidents, missions, "
            "round(incidents_per_1000_missions, 4) FROM region_year_stats WHERE year = ? "
            "ORDER BY sort_order",
            [year],
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            "row_count": count,
            "regions_complete": sum(1 for r in rows if r[1] == "complete"),
            "preview": markdown_table(
                ["region", "status", "incidents", "missions", "per 1,000"], [list(r) for r in rows]
            ),
        }
    )


@dg.asset(
    group_name="aggregate", partitions_def=YEARS, deps=["region_year_stats"], kinds={"duckdb"}
)
def national_year_stats(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """The national figures over the regions with a complete submission."""
    with warehouse_connection(duckdb, evstats) as con:
        row = build_national_year_stats(con, partition_year(context))
    return dg.MaterializeResult(
        metadata={
            "incidents": int(row["incidents"]),
            "missions": int(row["missions"]),
            "regions_reporting": int(row["regions_reporting"]),
            "preview": markdown_table(list(row), [list(row.values())]),
        }
    )


@dg.asset(
    group_name="aggregate", partitions_def=YEARS, deps=["region_year_stats"], kinds={"duckdb"}
)
def breakdown_stats(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Incidents by each coded dimension, month, weekday and hour of day, and by weekday
    and band of hours for the heat map (table `heatmap_stats`)."""
    with warehouse_connection(duckdb, evstats) as con:
        count = build_breakdown_stats(
            con, evstats.schema.contracts["incidents"], partition_year(context)
        )
    return dg.MaterializeResult(metadata={"row_count": count})
