"""Publish: the tables readers get, with disclosure control applied."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, warehouse
from pipelines.publish.tables import Disclosure, publish_tables


@dg.asset(
    group_name="publish",
    partitions_def=YEARS,
    deps=["national_year_stats", "region_year_stats", "breakdown_stats"],
    kinds={"csv"},
)
def published_tables(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """`national.csv`, `regions.csv` and `breakdowns.csv` under `reports/<year>/tables/`."""
    year = partition_year(context)
    settings = evstats.settings
    rules = Disclosure(settings.suppression_threshold, settings.unreliable_below)
    with warehouse(duckdb, evstats) as con:
        paths = publish_tables(
            con, year, settings.tables_dir(year), rules, evstats.schema, settings.lang
        )
    regions = Path(paths["regions"]).read_text(encoding="utf-8").splitlines()
    header, *rows = [line.split(",") for line in regions]
    return dg.MaterializeResult(
        metadata={
            **{name: dg.MetadataValue.path(str(p)) for name, p in paths.items()},
            "regions_preview": markdown_table(header, rows),
        }
    )
