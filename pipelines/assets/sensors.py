"""Sensors: the collection runs itself. `new_submissions` asks for a run of a year
when files arrive in its inbox; `last_run_*` write how each run ended where the
portal reads it. All three run by default once the daemon is up."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import dagster as dg

from pipelines import __version__
from pipelines.assets.resources import EvstatsConfig
from pipelines.publish.release import Release, next_number, release_year, version_name
from pipelines.publish.signoff import not_accepted
from pipelines.settings import Settings
from pipelines.settings import today as finland_today
from pipelines.warehouse.arrivals import arrivals
from pipelines.warehouse.snapshot import read_status, write_status

JOB_NAME = "yearly_statistics"
# Runs that write the warehouse carry this tag; the instance lets one such run at a time.
WRITER_TAG = {"evstats/warehouse": "writer"}
# A run made for a release carries its number; when it succeeds, the release is written.
RELEASE_TAG = "evstats/release"


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
    found = arrivals(evstats.settings, finland_today().year)
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


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A run of the year made for its next release, when the analyst asks for "
    "one in the portal (requests/release-<year>.json).",
)
def release_requests(
    context: dg.SensorEvaluationContext, evstats: EvstatsConfig
) -> dg.SensorResult | dg.SkipReason:
    """The run key holds the request's own hash, so a request asked again after a failed
    run starts a new run, and one request never starts two."""
    settings = evstats.settings
    requests = []
    for path in sorted((settings.root / "requests").glob("release-*.json")):
        text = path.read_text(encoding="utf-8")
        asked = json.loads(text)
        year = int(asked["year"])
        number = next_number(settings.releases_dir(year))
        status = read_status(settings.status_path(year)) or {"in_force": {}}
        waiting = not_accepted(read_status(settings.signoff_path(year)), sorted(status["in_force"]))
        if waiting:  # refused before a run, so no report names a release that is not made
            refuse(settings, year, number, f"not signed off for regions {', '.join(waiting)}")
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        config = {"release": number, "release_date": asked["date"], "release_note": asked["note"]}
        requests.append(
            dg.RunRequest(
                run_key=f"release-{year}-v{number}-{digest}",
                partition_key=str(year),
                run_config={"ops": {"yearly_report": {"config": config}}},
                tags={**WRITER_TAG, RELEASE_TAG: str(number)},
            )
        )
    if not requests:
        return dg.SkipReason("no release requested")
    return dg.SensorResult(run_requests=requests)


def finish_release(settings: Settings, year: int, number: int, date_: str, note: str) -> dict:
    """Write the release the run was made for, or say why not, where the portal reads it;
    the request is done either way (the analyst asks again after a refusal)."""
    release = Release(number, date.fromisoformat(date_), note)
    try:
        path = release_year(settings, year, release, __version__)
    except ValueError as exc:
        return refuse(settings, year, number, str(exc))
    return close_request(settings, year, {"outcome": "released", "path": str(path)}, number)


def refuse(settings: Settings, year: int, number: int, reason: str) -> dict:
    return close_request(settings, year, {"outcome": "refused", "reason": reason}, number)


def close_request(settings: Settings, year: int, what: dict, number: int) -> dict:
    """Tell the portal what became of the request, then drop it: it is done either way."""
    outcome = {"year": year, "outcome": what["outcome"], "release": version_name(number)}
    outcome |= {k: v for k, v in what.items() if k != "outcome"}
    write_status(settings.release_outcome_path(year), outcome)
    settings.release_request_path(year).unlink(missing_ok=True)
    return outcome


def record_last_run(
    context: dg.RunStatusSensorContext, evstats: EvstatsConfig, outcome: str
) -> None:
    run = context.dagster_run
    year = run.tags.get("dagster/partition")
    if year is None or not year.isdigit():
        return
    if outcome == "success" and RELEASE_TAG in run.tags:
        config = run.run_config.get("ops", {}).get("yearly_report", {}).get("config", {})
        finish_release(
            evstats.settings,
            int(year),
            int(run.tags[RELEASE_TAG]),
            config["release_date"],
            config.get("release_note", ""),
        )
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
