"""`python -m benchmarks.served` (`make bench-served`): the served path, measured.

The whole service starts as `make serve` starts it (the portal, the Dagster webserver
and the daemon with its sensor and run queue, under honcho, the instance migrated
first), on free ports, in a data directory and DAGSTER_HOME of its own, with 2023
reopened by `close_overrides` (the demo's calibration has no later year). Ten regions'
systems then each send one incidents file through the API, `--spacing` seconds apart,
and for each upload the bench notes, reading as a client would, when the receipt's
`in_force` turns true in the API and when the year's published `regions.csv` first
lists the region as submitted: the time from sending the file to each is its latency.
It reports p50 and p95, the runs the daemon made of the year (and what each loaded),
stops all it started and appends the figures to `results/summary.md`.

Nothing here is optimised or asserted: it is a measurement, run by hand (about six
minutes at the issue's 30 s spacing)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from benchmarks.portal import percentile
from pipelines.contract.demo import generate_year, load_calibration
from pipelines.contract.schema import load_schema
from tests.integration.daemon import start_logged
from tests.integration.portal import free_port, post_file, prepare, wait_until_healthy

RESULTS = Path(__file__).resolve().parent / "results"
YEAR = 2023  # the year `tests.integration.portal.environment` reopens
UPLOADS = 10
POLL_SECONDS = 0.25
# After the last upload, how long the bench waits for it to reach the tables.
PATIENCE_SECONDS = 600
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass
class Upload:
    """One file sent: when (monotonic seconds), and when it was seen in force and in
    the tables (None until then)."""

    region: str
    sent: float
    submission_id: int
    in_force: float | None = None
    in_tables: float | None = None


@dataclass
class Outcome:
    """What a bench saw: the uploads, the daemon's runs of the year, the load before and
    after, and what of the service outlived Ctrl-C (empty when nothing did)."""

    uploads: list[Upload]
    runs: list[dict] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    leftover: str = ""


def demo_files(regions: int) -> dict[str, bytes]:
    """The demo's 2023 incidents file of the first `regions` regions (a region's
    corrected file where the demo has two), the bytes a region's system would send."""
    files: dict[str, bytes] = {}
    for f in generate_year(load_calibration(), load_schema(), YEAR):
        if f.name.startswith("incidents_"):
            files[f.region_code] = f.text.encode("utf-8")
    return dict(list(files.items())[:regions])


def submitted_regions(text: str) -> set[str]:
    """The regions `regions.csv` lists as having sent a file for the year: every row
    but those flagged `not_submitted`."""
    return {
        row["region_code"]
        for row in csv.DictReader(io.StringIO(text))
        if row["year"] == str(YEAR) and row["flag"] != "not_submitted"
    }


def latencies(uploads: list[Upload], seen: Callable[[Upload], float | None]) -> list[float]:
    """Seconds from each upload to when `seen` says it arrived; uploads never seen are
    left out (the report counts them)."""
    return [at - u.sent for u in uploads if (at := seen(u)) is not None]


def summarise(values: list[float]) -> dict[str, float | int]:
    """p50, p95 (interpolated, as the portal bench reports them) and the slowest."""
    if not values:
        return {"count": 0}
    spread = values if len(values) > 1 else values * 2  # quantiles needs two points
    return {
        "count": len(values),
        "p50": round(percentile(spread, 50), 1),
        "p95": round(percentile(spread, 95), 1),
        "max": round(max(values), 1),
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def in_force(url: str, token: str, submission_id: int) -> bool:
    answer = requests.get(
        f"{url}/api/v1/submissions/{submission_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["in_force"] is True


def tables_regions(data_dir: Path) -> set[str]:
    path = data_dir / "reports" / str(YEAR) / "tables" / "regions.csv"
    try:
        return submitted_regions(path.read_text(encoding="utf-8"))
    except (OSError, KeyError, csv.Error):  # not written yet, or being replaced
        return set()


def year_runs(home: Path) -> list[dict]:
    """The daemon's runs of the job, oldest first: status, the last receipt each was
    asked for, and its duration."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(RunsFilter(job_name="yearly_statistics"))
    found = []
    for r in sorted(records, key=lambda r: r.create_timestamp):
        run = r.dagster_run
        took = round(r.end_time - r.start_time, 1) if r.start_time and r.end_time else None
        found.append(
            {
                "status": run.status.value,
                "last_receipt": run.tags.get("evstats/last_receipt"),
                "retry_of": run.tags.get("dagster/parent_run_id", "")[:8],
                "queued_s": round(r.start_time - r.create_timestamp.timestamp(), 1)
                if r.start_time
                else None,
                "seconds": took,
            }
        )
    return found


def settled_runs(home: Path, timeout: float = PATIENCE_SECONDS) -> list[dict]:
    """The runs once none waits or runs: the last one may still be writing the report
    when the tables are out, and Ctrl-C would kill it and leave the count unsure."""
    deadline = time.monotonic() + timeout
    while True:
        found = year_runs(home)
        if all(r["status"] in FINISHED for r in found) or time.monotonic() > deadline:
            return found
        time.sleep(1)


def serve(home: Path, log: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`make serve` on free ports, with this bench's DAGSTER_HOME (the Makefile copies
    config/dagster.yaml there and migrates the instance before the three start)."""
    env = env | {
        "EVSTATS_PORTAL_PORT": str(free_port()),
        "DAGSTER_WEBSERVER_PORT": str(free_port()),
    }
    service = start_logged(["make", "serve", f"DAGSTER_HOME={home}"], env, log)
    portal = f"http://127.0.0.1:{env['EVSTATS_PORTAL_PORT']}"
    try:
        wait_until_healthy(portal, service, log, timeout=180)
        webserver = f"http://127.0.0.1:{env['DAGSTER_WEBSERVER_PORT']}"
        wait_until_healthy(webserver, service, log, timeout=180, path="/server_info")
        wait_for_daemon(home, service, log)
    except BaseException:
        stop(service)
        raise
    return service, portal


def wait_for_daemon(home: Path, service: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Until the daemon's sensor and run-queue daemons have sent a heartbeat: an upload
    before then would time the daemon's start, not the served path."""
    from dagster import DagsterInstance

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise RuntimeError(f"make serve exited:\n{log.read_text(errors='replace')[-4000:]}")
        with DagsterInstance.from_config(str(home)) as instance:
            beating = {h.daemon_type for h in instance.get_daemon_heartbeats().values()}
        if {"SENSOR", "QUEUED_RUN_COORDINATOR"} <= beating:
            return
        time.sleep(1)
    raise RuntimeError(f"the Dagster daemon did not start in {timeout} s")


def stop(service: subprocess.Popen) -> str:
    """Ctrl-C to honcho's process group, as a terminal sends it; what is left of the
    group afterwards (empty when all stopped) is killed and returned."""
    if service.poll() is None:
        os.killpg(service.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.wait(timeout=60)
    left = subprocess.run(
        ["pgrep", "-a", "-g", str(service.pid)], capture_output=True, text=True
    ).stdout.strip()
    if left:
        os.killpg(service.pid, signal.SIGKILL)
        service.wait(timeout=30)
    return left


def measure(tmp: Path, spacing: float, uploads: int = UPLOADS) -> Outcome:
    files = demo_files(uploads)
    data_dir, home, log = tmp / "data", tmp / "dagster_home", tmp / "serve.log"
    env, tokens = prepare(data_dir, list(files))
    outcome = Outcome([], load_before=uptime())
    service, url = serve(home, log, env)
    try:
        start = time.monotonic()
        queue = list(files.items())
        deadline = None
        while queue or any(u.in_tables is None or u.in_force is None for u in outcome.uploads):
            now = time.monotonic()
            if queue and now >= start + spacing * len(outcome.uploads):
                region, data = queue.pop(0)
                sent = time.monotonic()
                answer = post_file(url, tokens[region], f"tilanteet_{region}.csv", data)
                if answer.status_code != 201:
                    raise RuntimeError(f"region {region}: {answer.status_code} {answer.text}")
                receipt = answer.json()
                outcome.uploads.append(Upload(region, sent, receipt["submission_id"]))
                print(f"  {len(outcome.uploads):2d}. region {region} sent", flush=True)
                if not queue:
                    deadline = time.monotonic() + PATIENCE_SECONDS
            listed = tables_regions(data_dir)
            for u in outcome.uploads:
                if u.in_force is None and in_force(url, tokens[u.region], u.submission_id):
                    u.in_force = time.monotonic()
                if u.in_tables is None and u.region in listed:
                    u.in_tables = time.monotonic()
            if deadline is not None and time.monotonic() > deadline:
                print(f"  gave up after {PATIENCE_SECONDS} s", flush=True)
                break
            time.sleep(POLL_SECONDS)
        outcome.runs = settled_runs(home)
    finally:
        outcome.leftover = stop(service)
        outcome.load_after = uptime()
    return outcome


def report(outcome: Outcome, spacing: float) -> str:
    tables = summarise(latencies(outcome.uploads, lambda u: u.in_tables))
    force = summarise(latencies(outcome.uploads, lambda u: u.in_force))
    statuses: dict[str, int] = {}
    for run in outcome.runs:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {len(outcome.uploads)} uploads, "
        f"{spacing:g} s apart",
        "",
        f"- Load before: `{outcome.load_before}`; after: `{outcome.load_after}`.",
        f"- Upload to the region in `regions.csv`: {fmt(tables)}; target p50 < 15 s, "
        f"p95 < 30 s: {verdict(tables, len(outcome.uploads))}.",
        f"- Upload to `in_force` true in the API: {fmt(force)}.",
        f"- Runs the daemon made: {len(outcome.runs)} "
        f"({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}).",
        "",
        "| upload | region | to in_force s | to tables s |",
        "|---:|---|---:|---:|",
    ]
    for n, u in enumerate(outcome.uploads, 1):
        lines.append(f"| {n} | {u.region} | {since(u, u.in_force)} | {since(u, u.in_tables)} |")
    lines += [
        "",
        "| run | status | last receipt asked | queued s | ran s | retry of |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for n, run in enumerate(outcome.runs, 1):
        lines.append(
            f"| {n} | {run['status']} | {run['last_receipt']} | {run['queued_s']} "
            f"| {run['seconds']} | {run['retry_of']} |"
        )
    if outcome.leftover:
        lines += ["", f"- Left running after Ctrl-C (killed): `{outcome.leftover}`."]
    return "\n".join(lines) + "\n"


def verdict(summary: dict[str, float | int], sent: int) -> str:
    """Met only when every upload arrived and both percentiles are under the target."""
    met = summary["count"] == sent and summary["p50"] < 15 and summary["p95"] < 30
    return "met" if met else "**not met**"


def fmt(summary: dict[str, float | int]) -> str:
    if not summary["count"]:
        return "none arrived"
    return (
        f"p50 {summary['p50']} s, p95 {summary['p95']} s, max {summary['max']} s "
        f"({summary['count']} arrived)"
    )


def since(upload: Upload, at: float | None) -> str:
    return "never" if at is None else f"{at - upload.sent:.1f}"


def record(summary: Path, text: str) -> None:
    """Add a run to `served.md` beside the summary (headed "Served path" the first time),
    and make the summary's "Served path" section that file: `make bench` writes the
    summary afresh and appends `served.md` again, so the served runs outlive it."""
    summary.parent.mkdir(parents=True, exist_ok=True)
    served = summary.parent / SERVED_FILE
    kept = served.read_text(encoding="utf-8") if served.exists() else HEADING + SECTION_NOTE
    served.write_text(kept.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    current = summary.read_text(encoding="utf-8") if summary.exists() else ""
    before = current.split("\n" + HEADING, 1)[0].rstrip("\n")
    summary.write_text(before + "\n\n" + served.read_text(encoding="utf-8"), encoding="utf-8")


SERVED_FILE = "served.md"
HEADING = "## Served path\n\n"
SECTION_NOTE = (
    "`make bench-served` (`python -m benchmarks.served`): `make serve` on free ports, ten "
    "regions' demo incidents files sent through the API `--spacing` seconds apart; each "
    "upload timed, as a client sees it, to its receipt's `in_force` and to its region's "
    "row in the year's published `regions.csv`."
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacing", type=float, default=30.0, help="seconds between uploads")
    parser.add_argument("--uploads", type=int, default=UPLOADS)
    parser.add_argument(
        "--summary", type=Path, default=RESULTS / "summary.md", help="where to append"
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="evstats-served-"))
    try:
        outcome = measure(tmp, args.spacing, args.uploads)
    except BaseException:
        print(f"the service's log is kept in {tmp / 'serve.log'}", file=sys.stderr)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    text = report(outcome, args.spacing)
    print(text)
    record(args.summary, text)


if __name__ == "__main__":
    main()
