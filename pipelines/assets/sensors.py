"""Sensors: the collection runs itself. `new_submissions` asks for a run of a year
when files arrive in its inbox; `last_run_*` write how each run ended where the
portal reads it. All three run by default once the daemon is up."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import dagster as dg

from pipelines.assets.resources import EvstatsConfig
from pipelines.warehouse.arrivals import arrivals
from pipelines.warehouse.snapshot import write_status

JOB_NAME = "yearly_statistics"
# Runs that write the warehouse carry this tag; the instance lets one such run at a time.
WRITER_TAG = {"evstats/warehouse": "writer"}


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A run of a year's statistics for every year with files the warehouse "
    "has not registered (compared with the year's status snapshot).",
)
def new_submissions(
    context: dg.SensorEvaluationContext, evstats: EvstatsConfig
) -> dg.SensorResult | dg.SkipReason:
    """The run key is the year and the hash of the new files, so the same files never
    start two runs; the cursor keeps the keys already asked for, so a look that finds
    nothing changed says so instead of asking again."""
    asked = json.loads(context.cursor) if context.cursor else {}
    found = arrivals(evstats.settings, date.today().year)
    keys = {str(a.year): a.run_key for a in found}
    requests = [
        dg.RunRequest(
            run_key=a.run_key,
            partition_key=str(a.year),
            tags={**WRITER_TAG, "evstats/new_files": str(len(a.sha256s))},
        )
        for a in found
        if asked.get(str(a.year)) != a.run_key
    ]
    if not requests:
        return dg.SkipReason(
            "no new files" if not found else "the new files' runs are already asked for"
        )
    context.log.info(", ".join(f"{r.partition_key}: {r.run_key}" for r in requests))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(keys, sort_keys=True))


def record_last_run(
    context: dg.RunStatusSensorContext, evstats: EvstatsConfig, outcome: str
) -> None:
    run = context.dagster_run
    year = run.tags.get("dagster/partition")
    if year is None or not year.isdigit():
        return
    write_status(
        evstats.settings.last_run_path(int(year)),
        {
            "year": int(year),
            "run_id": run.run_id,
            "outcome": outcome,
            "at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        },
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def last_run_succeeded(context: dg.RunStatusSensorContext, evstats: EvstatsConfig) -> None:
    record_last_run(context, evstats, "success")


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def last_run_failed(context: dg.RunFailureSensorContext, evstats: EvstatsConfig) -> None:
    record_last_run(context, evstats, "failure")
