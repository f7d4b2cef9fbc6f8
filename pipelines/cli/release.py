"""`evstats release` and `evstats releases`: a year's release asked for in the register
and made by a run (the daemon's when one is running), and the year's releases listed."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from pipelines.cli.pipeline import _instance, _report_outputs, run_year
from pipelines.cli.words import Words
from pipelines.settings import today as finland_today


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
    from pipelines.publish.release import release_numbers
    from pipelines.register import lifecycle
    from pipelines.register.db import connect
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    db = connect(settings)
    from pipelines.register.models import Release as Request
    from pipelines.register.releases import request_release

    on_disk = max(release_numbers(settings.releases_dir(args.year)), default=0)
    try:
        request = request_release(
            args.year, args.note or "", args.date or finland_today(), on_disk, db=db
        )
    except lifecycle.Blocked as blocked:
        print(f"evstats release: {blocked_text(blocked)}; nothing released", file=sys.stderr)
        return 1
    print(f"release {request.name} of {args.year} requested", file=sys.stderr)
    config = release_run_config(request.id, request.number, request.date.isoformat(), request.note)
    if _daemon_running():
        print("the daemon makes it; waiting for its run…", file=sys.stderr)
        ok = _wait_for_release(request.id, db)
    else:
        from pipelines.publish import report_workers
        from pipelines.validate import gx_audit

        with gx_audit.running_worker(), report_workers.running():
            ok = run_year(settings, args.year, verbose=args.verbose, release=config)
    request = Request.objects.using(db).get(id=request.id)
    if request.state == Request.REQUESTED:
        # The run failed before its release step: the request is closed, asked again later.
        from pipelines.register.releases import refused

        refused(request, "the run failed", db)
    if not ok or request.state != Request.RELEASED:
        why = request.reason or "the run failed"
        print(f"evstats release: {args.year} {request.name} not released: {why}", file=sys.stderr)
        return 1
    _report_outputs(settings, [args.year])
    print(f"release {request.name} of {args.year}: {request.path}")
    return 0


def blocked_text(blocked: Exception) -> str:
    """A refusal of the lifecycle, said in the analyst's words."""
    texts = {
        "release_blocked": "regions {regions} have data in force not accepted by the analyst "
        "(the analyst accepts each region's year in the portal)",
        "release_nothing": "no region has data in force",
        "release_already_requested": "a release of {year} is already requested",
    }
    key = getattr(blocked, "key", "")
    return texts.get(key, key).format(**getattr(blocked, "params", {}))


def _daemon_running() -> bool:
    """Whether a Dagster daemon of this instance has looked at its sensors within the
    last minute: then it, not this process, makes the release (one writer at a time)."""
    import time

    if not os.environ.get("DAGSTER_HOME"):
        return False
    heartbeats = _instance().get_daemon_heartbeats()
    beat = heartbeats.get("SENSOR")
    return beat is not None and time.time() - beat.timestamp < 60


def _wait_for_release(request_id: int, db: str, limit_seconds: float = 1800) -> bool:
    import time

    from pipelines.register.models import Release as Request

    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        if Request.objects.using(db).get(id=request_id).state != Request.REQUESTED:
            return True
        time.sleep(2)
    print("evstats release: no outcome after 30 minutes; see the Dagster UI", file=sys.stderr)
    return False


def cmd_releases(args: argparse.Namespace) -> int:
    from pipelines.publish.release import read_manifests
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    manifests = read_manifests(settings.releases_dir(args.year))
    if not manifests:
        print(f"no releases of {args.year}")
        return 0
    header = ["release", "date", "revised cells", "note"]
    table = [[m["name"], m["date"], str(m["revised_cells"]), m["note"]] for m in manifests]
    widths = [max(len(x) for x in col) for col in zip(header, *table, strict=True)]
    for line in [header, *table]:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
    return 0
