"""`evstats release` and `evstats releases`: a year's release asked for in the register
and made by a run (the daemon's when one is running), and the year's releases listed."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from pipelines.cli.pipeline import dagster_instance, report_outputs, run_year
from pipelines.cli.words import Words, aligned
from pipelines.settings import today as finland_today

if TYPE_CHECKING:
    from pipelines.register.lifecycle import Blocked
    from pipelines.register.models import Release

# The register's reason for a release whose run failed before its release step.
RUN_FAILED = "the run failed"


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `release` or `releases`."""
    parser, _, options = t.parser(
        sub.add_parser, name, help=t(f"help_{name}"), description=t(f"help_{name}")
    )
    options.add_argument(
        "--year", type=t.year, metavar=t.metavar("year"), required=True, help=t("help_year")
    )
    if name == "releases":
        options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
        parser.set_defaults(handler=cmd_releases)
        return
    options.add_argument(
        "--note", default="", metavar=t.metavar("text"), help=t("help_release_note")
    )
    options.add_argument(
        "--date", type=t.day, metavar=t.metavar("date"), help=t("help_release_date")
    )
    options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
    options.add_argument("--verbose", action="store_true", help=t("help_verbose"))
    parser.set_defaults(handler=cmd_release)


def cmd_release(args: argparse.Namespace) -> int:
    """Ask for the year's next release in the register, then have it made: by the daemon
    when one is running (its sensor turns the request into a run, and this command
    waits for the outcome), else by a run in this process. Either way the release is
    written by the run's `release` step, which checks the sign-off again."""
    from pipelines.assets.sensors import release_run_config
    from pipelines.publish.release import latest_number
    from pipelines.register import lifecycle
    from pipelines.register.db import connect
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    db = connect(settings)
    from pipelines.register.models import Release as Request
    from pipelines.register.releases import request_release

    on_disk = latest_number(settings.releases_dir(args.year))
    try:
        request = request_release(
            args.year, args.note or "", args.date or finland_today(), on_disk, db=db
        )
    except lifecycle.Blocked as blocked:
        why = blocked_text(blocked, args.say)
        print(f"evstats release: {args.say('cli_release_refused', why=why)}", file=sys.stderr)
        return 1
    print(args.say("cli_release_requested", name=request.name, year=args.year), file=sys.stderr)
    config = release_run_config(request.id, request.number, request.date.isoformat(), request.note)
    if _daemon_running():
        print(args.say("cli_release_by_daemon"), file=sys.stderr)
        ok = _wait_for_release(request.id, db, args.say)
    else:
        from pipelines.publish import report_workers
        from pipelines.validate import gx_audit

        with gx_audit.running_worker(), report_workers.running():
            ok = run_year(settings, args.year, verbose=args.verbose, say=args.say, release=config)
    request = close_unfinished(request.id, db)
    if not ok or request.state != Request.RELEASED:
        why = (
            request.reason if request.reason not in ("", RUN_FAILED) else args.say("cli_run_failed")
        )
        said = args.say("cli_release_not_released", year=args.year, name=request.name, why=why)
        print(f"evstats release: {said}", file=sys.stderr)
        return 1
    report_outputs(settings, [args.year], args.say)
    print(args.say("cli_released", name=request.name, year=args.year, path=request.path))
    return 0


def blocked_text(blocked: Blocked, say: Words) -> str:
    """A refusal of the lifecycle, said in the analyst's words: ui.yaml's `cli_` text of
    its key, which tells the command line's user where to act (the portal)."""
    return say(f"cli_{blocked.key}", **blocked.params)


def _daemon_running() -> bool:
    """Whether a Dagster daemon of this instance has looked at its sensors within the
    last minute: then it, not this process, makes the release (one writer at a time)."""
    import time

    if not os.environ.get("DAGSTER_HOME"):
        return False
    heartbeats = dagster_instance().get_daemon_heartbeats()
    beat = heartbeats.get("SENSOR")
    return beat is not None and time.time() - beat.timestamp < 60


def _wait_for_release(request_id: int, db: str, say: Words, limit_seconds: float = 1800) -> bool:
    """Whether the daemon's run closed the request within the limit."""
    import time

    from pipelines.register.models import Release as Request

    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        if Request.objects.using(db).get(id=request_id).state != Request.REQUESTED:
            return True
        time.sleep(2)
    print(f"evstats release: {say('cli_release_no_outcome')}", file=sys.stderr)
    return False


def cmd_releases(args: argparse.Namespace) -> int:
    """The year's releases as a table: number, date, revised cells and note."""
    from pipelines.publish.release import read_manifests
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    manifests = read_manifests(settings.releases_dir(args.year))
    if not manifests:
        print(args.say("cli_no_releases", year=args.year))
        return 0
    header = [args.say(f"cli_col_{c}") for c in ("release", "date", "revised", "note")]
    table = [[m["name"], m["date"], str(m["revised_cells"]), m["note"]] for m in manifests]
    for line in aligned([header, *table]):
        print(line)
    return 0


def close_unfinished(request_id: int, db: str = "default") -> Release:
    """The release request as its run left it; one still open means the run failed
    before its release step: the request is closed (`RUN_FAILED`), to be asked again."""
    from pipelines.register.models import Release as Request
    from pipelines.register.releases import refused

    request = Request.objects.using(db).get(id=request_id)
    if request.state == Request.REQUESTED:
        refused(request, RUN_FAILED, db)
    return request
