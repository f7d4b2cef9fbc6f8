"""Sensors: the collection runs itself. They look and ask for runs, nothing more (as
dagster-open-platform's do): `new_submissions` when the register holds receipts no run
has loaded or a year's inbox folder changed, `release_requests` when the analyst has
asked for a release; the work, the release included, happens in the run. The two run
status sensors note how each run ended in the register, for the portal."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from pipelines.assets.resources import EvstatsConfig, register_db
from pipelines.ingest.inbox import inbox_years, scan_inbox
from pipelines.settings import Settings
from pipelines.settings import today as finland_today

JOB_NAME = "yearly_statistics"
# Runs that write the warehouse carry this tag; the instance lets one such run at a time.
WRITER_TAG = {"evstats/warehouse": "writer"}
# A run made for a release carries its register id; its `release` step writes it.
RELEASE_TAG = "evstats/release"


def folder_fingerprint(settings: Settings, year: int) -> str | None:
    """What the year's inbox folder holds, by name, size and modification time, without
    reading a byte: the run's first step receives what is new; None for no files."""
    files, _ = scan_inbox(settings.inbox, year)
    if not files:
        return None
    listing = []
    for f in files:
        st = f.path.stat()
        listing.append(f"{f.region_code}/{f.path.name}\t{st.st_size}\t{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(listing)).encode()).hexdigest()[:16]


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A run of a year's statistics when the register holds receipts no run has "
    "loaded, or the year's inbox folder changed.",
)
def new_submissions(
    context: dg.SensorEvaluationContext, evstats: EvstatsConfig
) -> dg.SensorResult | dg.SkipReason:
    """A run of a year when a receipt arrived that no run has loaded and the sensor has
    not asked for yet, or when the year's inbox folder looks different from the last
    time it asked. The cursor keeps, per year, the last receipt and the folder's
    fingerprint asked for; the run key is both, so the same state never starts two
    runs, and a receipt loaded since does not start another."""
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register.runs import waiting

    settings = evstats.settings
    asked = json.loads(context.cursor) if context.cursor else {}
    unloaded = waiting(db)
    cursor = dict(asked)
    requests = []
    merged = []
    queued = years_with_a_queued_run(context.instance)
    for year in sorted(set(unloaded) | set(inbox_years(settings.inbox, finland_today().year))):
        before = asked.get(str(year))
        before = before if isinstance(before, dict) else {}
        folder = folder_fingerprint(settings, year)
        last = unloaded.get(year, 0)
        new_receipt = last > before.get("receipt", 0)
        new_folder = folder is not None and folder != before.get("folder")
        if not (new_receipt or new_folder):
            continue
        cursor[str(year)] = {"receipt": max(last, before.get("receipt", 0)), "folder": folder}
        if year in queued:
            merged.append(str(year))
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"{year}-r{last}-f{folder or 'none'}",
                partition_key=str(year),
                tags={**WRITER_TAG, "evstats/last_receipt": str(last)},
            )
        )
    if merged:
        context.log.info(f"new files of {', '.join(merged)} left to the run already queued")
    if not requests:
        if merged:
            return dg.SensorResult(
                skip_reason=f"a run of {', '.join(merged)} is queued and will load them",
                cursor=json.dumps(cursor, sort_keys=True),
            )
        return dg.SkipReason("nothing new in the register or the inbox")
    context.log.info(", ".join(f"{r.partition_key}: {r.run_key}" for r in requests))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))


# A run in these states has not yet begun its first step, which reads the register and
# the inbox: whatever arrived before the sensor saw it so will be in that run.
NOT_BEGUN = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
]


def years_with_a_queued_run(instance: dg.DagsterInstance) -> set[int]:
    """Years whose statistics run waits in the queue. New files of such a year need no
    run of their own: the queued one loads them when it starts, so uploads that come
    while the one warehouse writer is busy merge into one run instead of a queue of runs
    that each redo the year (the served-path bench saw two such runs load nothing).
    Release runs are left out: what a release holds is the analyst's request, not
    something to merge uploads into."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name=JOB_NAME, statuses=NOT_BEGUN), limit=100
    )
    return {
        int(run.tags["dagster/partition"])
        for run in runs
        if run.tags.get("dagster/partition", "").isdigit() and RELEASE_TAG not in run.tags
    }


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A run of the year made for a release the analyst asked for.",
)
def release_requests(
    context: dg.SensorEvaluationContext, evstats: EvstatsConfig
) -> dg.SensorResult | dg.SkipReason:
    """One run per request (its register id is the run key); the run's `release` step
    checks the sign-off again and writes the release."""
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register.releases import open_requests

    requests = [
        dg.RunRequest(
            run_key=f"release-{r.id}",
            partition_key=str(r.year),
            run_config=release_run_config(r.id, r.number, r.date.isoformat(), r.note),
            tags={**WRITER_TAG, RELEASE_TAG: str(r.id)},
        )
        for r in open_requests(db)
    ]
    if not requests:
        return dg.SkipReason("no release requested")
    return dg.SensorResult(run_requests=requests)


def release_run_config(request: int, number: int, day: str, note: str) -> dict:
    """The config of a run made for a release: the report names it, the `release` step
    writes it; the same for the sensor and `evstats release`."""
    report = {"release": number, "release_date": day, "release_note": note}
    return {
        "ops": {"yearly_report": {"config": report}, "release": {"config": {"request": request}}}
    }


def record_last_run(
    context: dg.RunStatusSensorContext, evstats: EvstatsConfig, outcome: str
) -> None:
    run = context.dagster_run
    year = run.tags.get("dagster/partition")
    if year is None or not year.isdigit():
        return
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register.runs import record_run

    record_run(int(year), run.run_id, outcome, db=db)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Notes in the register that a year's run succeeded, for the portal's "
    "'last statistics run'.",
)
def last_run_succeeded(context: dg.RunStatusSensorContext, evstats: EvstatsConfig) -> None:
    record_last_run(context, evstats, "success")


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Notes in the register that a year's run failed, for the portal's "
    "'last statistics run'.",
)
def last_run_failed(context: dg.RunFailureSensorContext, evstats: EvstatsConfig) -> None:
    record_last_run(context, evstats, "failure")
