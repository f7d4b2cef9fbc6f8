"""Ingest: the inbox folder's new files received into the register, as every channel's are."""

import json

import dagster as dg

from pipelines.assets import YEARS, markdown_table, partition_year
from pipelines.assets.resources import EvstatsConfig, register_db
from pipelines.assets.validate import judged_at_receipt
from pipelines.contract.privacy import mask_personal_data
from pipelines.validate.receipt import receive_folder


@dg.asset(group_name="ingest", partitions_def=YEARS, kinds={"csv"})
def raw_submissions(
    context: dg.AssetExecutionContext, evstats: EvstatsConfig
) -> dg.MaterializeResult:
    """Files regions put in `inbox/<year>/<region>/`, judged and received as channel
    `folder`: archived unchanged under their SHA-256 and given a receipt, as an upload
    in the portal is. A file already received (same name, same bytes) is not again."""
    settings = evstats.settings
    context.log.info(f"settings: {json.dumps(settings.as_dict(), sort_keys=True)}")
    year = partition_year(context)
    db = register_db(evstats)
    judged_at_receipt.clear()  # a run starts from its own receipts
    scan = receive_folder(settings, year, evstats.schema, db)
    judged_at_receipt.update({(db, sid): verdict for sid, verdict in scan.verdicts.items()})
    for path in scan.ignored:
        name = mask_personal_data(path.name)  # a region's text: logged masked
        context.log.warning(f"ignored (not a submission file in a region folder): {name}")
    context.log.info(
        f"{year}: {len(scan.received)} new folder files, {scan.known} already received"
    )
    return dg.MaterializeResult(
        metadata={
            "new_submissions": len(scan.received),
            "already_received": scan.known,
            "ignored_files": len(scan.ignored),
            "preview": markdown_table(
                ["receipt", "region", "file", "state"],
                [[s.id, s.region_code, s.file_name, s.state] for s in scan.received[:50]],
            ),
        }
    )
