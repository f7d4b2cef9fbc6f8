"""Release: the year's outputs and inputs frozen as the release the analyst asked for,
inside the run that made them (serialised with every other writer by the run queue)."""

import json
from datetime import UTC
from pathlib import Path

import dagster as dg

from pipelines import __version__
from pipelines.assets import YEARS, partition_year
from pipelines.assets.resources import EvstatsConfig, register_db
from pipelines.publish.release import MANIFEST, Release, input_entry, missing, write_release


class ReleaseConfig(dg.Config):
    """The register id of the release request the run is made for; 0 for a plain run."""

    request: int = 0


@dg.asset(
    group_name="publish",
    partitions_def=YEARS,
    # After everything a release holds and every blocking check: a failed check skips it.
    deps=["yearly_report", "published_tables", "collection_status", "gx_audit"],
    kinds={"json"},
)
def release(
    context: dg.AssetExecutionContext, config: ReleaseConfig, evstats: EvstatsConfig
) -> dg.MaterializeResult:
    """`releases/<year>/v<n>/`: the outputs of this run, the files in force it was made
    from and the manifest. The sign-off is checked again here (a correction may have
    arrived since the request); a retried run finds its release made and does nothing."""
    if not config.request:
        return dg.MaterializeResult(metadata={"release": "none requested"})
    year = partition_year(context)
    settings = evstats.settings
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register import lifecycle, releases, review
    from pipelines.register.models import Release as Request
    from pipelines.register.receipts import in_force, stored_path

    request = Request.objects.using(db).get(id=config.request)
    if request.year != year:
        raise dg.Failure(f"release request {request.id} is for {request.year}, not {year}")
    target = settings.releases_dir(year) / request.name
    if request.state == Request.RELEASED:
        return dg.MaterializeResult(metadata={"release": request.name, "path": request.path})
    if request.state == Request.REFUSED:
        raise dg.Failure(f"release request {request.id} was refused: {request.reason}")
    try:
        waiting = review.release_blockers(year, db)
    except lifecycle.Blocked as blocked:
        waiting, reason = [], f"{blocked.key}"
    else:
        reason = f"regions {', '.join(waiting)} await review" if waiting else ""
    if reason:
        releases.refused(request, reason, db)
        context.log.warning(f"{year} {request.name} not released: {reason}")
        return dg.MaterializeResult(metadata={"release": "refused", "reason": reason})
    files = in_force(year, db)
    if target.exists():
        made = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        if made["release"] != request.number or made["year"] != year:
            raise dg.Failure(f"{target} holds another release")
        context.log.info(f"{target} was written by an earlier try of this run")
    else:
        regions = list(evstats.schema.codelists["regions"].codes)
        inputs = [
            input_entry(
                region,
                kind,
                sub.id,
                sub.file_name,
                sub.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                sub.sha256,
                stored_path(settings, sub),
            )
            for region, kinds in sorted(files.items())
            for kind, sub in sorted(kinds.items())
        ]
        write_release(
            settings.releases_dir(year),
            Release(
                request.number,
                request.date,
                request.note,
                missing_regions=tuple(missing(regions, list(files))),
            ),
            year,
            settings.root / "reports" / str(year),
            inputs,
            __version__,
            settings.as_dict(),
        )
    releases.released(request, str(target), db)
    return dg.MaterializeResult(
        metadata={"release": request.name, "path": dg.MetadataValue.path(str(Path(target)))}
    )
