"""Dagster assets, one module per stage: ingest, validate, aggregate, publish."""

import warnings

import dagster as dg

from pipelines.settings import FIRST_YEAR

# Checks carry the year they checked (so each run records one result per check and
# year, not a planned one beside an unpartitioned one): a Dagster preview feature
# this project depends on knowingly.
warnings.filterwarnings(
    "ignore", message="Specifying a partitions_def on an AssetCheckSpec", category=dg.PreviewWarning
)

YEARS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_YEAR), fmt="%Y", end_offset=1
)


def partition_year(context: dg.AssetExecutionContext) -> int:
    return int(context.partition_key)


def markdown_table(header: list[str], rows: list[list[object]]) -> dg.MetadataValue:
    """A small preview for the Dagster UI."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in r) + " |" for r in rows]
    return dg.MetadataValue.md("\n".join(lines))
