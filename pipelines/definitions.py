"""The one Definitions object: the Dagster UI (`dagster dev -w workspace.yaml`)
and the `evstats` CLI both run the pipeline from here."""

from __future__ import annotations

import dagster as dg

from pipelines.assets import YEARS, aggregate, ingest, publish, release, report, validate
from pipelines.assets.resources import build_resources
from pipelines.assets.sensors import (
    JOB_NAME,
    WRITER_TAG,
    last_run_failed,
    last_run_succeeded,
    new_submissions,
    release_requests,
)
from pipelines.progress import progress_logger
from pipelines.settings import Settings, load_settings

__all__ = ["JOB_NAME", "build_defs", "defs"]


def build_defs(settings: Settings) -> dg.Definitions:
    """Definitions for given settings; tests pass a temporary data directory."""
    assets = dg.load_assets_from_modules([ingest, validate, aggregate, publish, report, release])
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        partitions_def=YEARS,
        tags=WRITER_TAG,
        description="A year's statistics: the inbox folder's files received, new receipts "
        "judged and loaded, the yearly tables, the published CSV, PX and open data, the "
        "report in every language, and the release when the run was asked for one. One "
        "warehouse writer at a time.",
    )
    return dg.Definitions(
        assets=assets,
        jobs=[job],
        sensors=[new_submissions, release_requests, last_run_succeeded, last_run_failed],
        resources=build_resources(settings),
        loggers={"progress": progress_logger, "console": dg.colored_console_logger},
        # DuckDB allows one writing process at a time: run the steps in one process.
        executor=dg.in_process_executor,
    )


defs = build_defs(load_settings())
