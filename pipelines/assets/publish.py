"""Publish: the tables readers get, with disclosure control applied."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, warehouse_connection
from pipelines.publish.opendata import write_datapackage
from pipelines.publish.px import data_as_of, write_px
from pipelines.publish.tables import Disclosure, write_tables, yearly_tables


@dg.asset(
    group_name="publish",
    partitions_def=YEARS,
    deps=["national_year_stats", "region_year_stats", "breakdown_stats"],
    kinds={"csv", "json", "px"},
)
def published_tables(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """`national.csv`, `regions.csv`, `breakdowns.csv` and the open dataset's
    `datapackage.json` under `reports/<year>/tables/`, and the same tables as PX files in
    three languages under `reports/<year>/px/`: all written from one set of protected
    values, so no format can show a figure another hides."""
    year = partition_year(context)
    settings = evstats.settings
    rules = Disclosure(settings.suppression_threshold, settings.unreliable_below)
    with warehouse_connection(duckdb, evstats) as con:
        tables = yearly_tables(con, year, rules, evstats.schema, settings.lang)
        created = data_as_of(con, year)
    paths = write_tables(tables, settings.tables_dir(year))
    package = write_datapackage(tables, paths, evstats.schema, year)
    px = write_px(tables, evstats.schema, rules, year, created, settings.px_dir(year))
    regions = Path(paths["regions"]).read_text(encoding="utf-8").splitlines()
    header, *rows = [line.split(",") for line in regions]
    return dg.MaterializeResult(
        metadata={
            **{name: dg.MetadataValue.path(str(p)) for name, p in paths.items()},
            "datapackage": dg.MetadataValue.path(str(package)),
            **{f"{name}_px": dg.MetadataValue.path(str(p)) for name, p in px.items()},
            "rows": sum(len(rows) for _, rows in tables.values()),
            "suppressed_rows": sum(
                r.get("flag") == "suppressed" for _, rows in tables.values() for r in rows
            ),
            "regions_preview": markdown_table(header, rows),
        }
    )
