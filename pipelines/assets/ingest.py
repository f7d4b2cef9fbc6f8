"""Ingest: archive every new file in the inbox and register it as a submission."""

import json

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, warehouse
from pipelines.contract.privacy import mask_personal_data
from pipelines.ingest.inbox import archive_file, scan_inbox
from pipelines.warehouse.store import Received, register_submission


@dg.asset(group_name="ingest", partitions_def=YEARS, kinds={"csv", "duckdb"})
def raw_submissions(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """Files regions put in `inbox/<year>/<region>/`, archived unchanged and registered.

    The same bytes submitted again are recognised by their hash and not registered twice.
    A file's name is the region's text: registered, shown and logged masked (the
    archive keeps the file under its own name).
    """
    settings = evstats.settings
    context.log.info(f"settings: {json.dumps(settings.as_dict(), sort_keys=True)}")
    year = partition_year(context)
    files, ignored = scan_inbox(settings.inbox, year)
    regions = evstats.schema.codelists["regions"].lookup()
    new, repeated = [], []
    with warehouse(duckdb, evstats) as con:
        for f in files:
            archived = archive_file(f, settings.archive)
            name = mask_personal_data(f.path.name)
            sid = register_submission(
                con,
                Received(
                    year=year,
                    region_code=regions.get(f.region_code.lower(), f.region_code),
                    file_name=name,
                    sha256=archived.sha256,
                    size_bytes=archived.size_bytes,
                    received_at=archived.received_at,
                    archive_path=str(archived.archive_path),
                ),
            )
            (new if sid is not None else repeated).append([sid, f.region_code, name])
    for path in ignored:
        shown = mask_personal_data(str(path))
        context.log.warning(f"ignored (not a submission file in a region folder): {shown}")
    context.log.info(f"{year}: {len(new)} new files, {len(repeated)} already received")
    return dg.MaterializeResult(
        metadata={
            "new_submissions": len(new),
            "already_received": len(repeated),
            "ignored_files": len(ignored),
            "preview": markdown_table(["submission", "region", "file"], new[:50]),
        }
    )
