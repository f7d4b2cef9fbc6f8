"""`evstats run`, `report`, `demo` and `rebuild`: the yearly job run in this process,
through the same Definitions the Dagster UI loads, one warehouse writer at a time."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from pipelines import __version__
from pipelines.cli.words import EXIT_USAGE, Words
from pipelines.contract.i18n import LANGUAGES
from pipelines.settings import today as finland_today

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from pipelines.settings import Settings

DEMO_YEARS = [2021, 2022, 2023, 2024]


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `run`, `report`, `demo` or `rebuild`."""
    parser, _, options = t.parser(
        sub.add_parser, name, help=t(f"help_{name}"), description=t(f"help_{name}")
    )
    year = t.metavar("year")
    if name == "report":
        options.add_argument(
            "--year", type=t.year, metavar=year, required=True, help=t("help_year")
        )
        options.add_argument(
            "--lang",
            choices=LANGUAGES,
            action="append",
            dest="report_languages",
            help=t("help_report_lang"),
        )
    options.add_argument("--data-dir", metavar=t.metavar("folder"), help=t("help_data_dir"))
    options.add_argument("--verbose", action="store_true", help=t("help_verbose"))
    if name == "run":
        options.add_argument(
            "--year", type=t.year, metavar=year, required=True, help=t("help_year")
        )
    if name == "rebuild":
        options.add_argument(
            "--years", type=t.year, nargs="+", metavar=year, help=t("help_rebuild_years")
        )
    if name == "demo":
        options.add_argument(
            "--years",
            type=t.year,
            nargs="+",
            metavar=year,
            default=DEMO_YEARS,
            help=t("help_years"),
        )
    handlers = {"run": cmd_run, "report": cmd_report, "demo": cmd_demo, "rebuild": cmd_rebuild}
    parser.set_defaults(handler=handlers[name])


def run_year(
    settings: Settings,
    year: int,
    *,
    verbose: bool,
    say: Words,
    only: str | None = None,
    languages: list[str] | None = None,
    release: dict | None = None,
) -> bool:
    """Materialize the year through the same Definitions the Dagster UI loads; `only`
    names one asset to rebuild from the warehouse without re-ingesting, `release` the
    run config of the release the run is made for (as the daemon's sensor gives it);
    `say` the words of the user's language."""
    import dagster as dg

    from pipelines.definitions import JOB_NAME, build_defs

    defs = build_defs(settings)
    job = defs.resolve_job_def(JOB_NAME)
    loggers = {"console": {"config": {"log_level": "INFO"}}} if verbose else {"progress": {}}
    run_config: dict[str, object] = {"loggers": loggers}
    if release:
        run_config.update(release)
    elif languages:
        run_config["ops"] = {"yearly_report": {"config": {"languages": languages}}}
    print(say("cli_run_started", version=__version__, year=year), file=sys.stderr)
    with dagster_instance() as instance:
        wait_for_writers(instance, say=say)
        result = job.execute_in_process(
            partition_key=str(year),
            instance=instance,
            raise_on_error=False,
            run_config=run_config,
            asset_selection=[dg.AssetKey(only)] if only else None,
            tags=CLI_TAG,
        )
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    failed += [
        c.check_name
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR
    ]
    if failed:
        print(say("cli_run_failed_at", year=year, steps=", ".join(failed)), file=sys.stderr)
    elif not result.success:
        print(say("cli_run_failed_check", year=year), file=sys.stderr)
    ok = result.success and not failed
    if only is None:
        record_outcome(settings, year, result.run_id, ok)
    return ok


def record_outcome(settings: Settings, year: int, run_id: str, ok: bool) -> None:
    """How the year's run ended, in the register where the portal reads it: the daemon's
    run status sensors note the runs it launched, this command notes its own (a run in
    this process is seen by no sensor)."""
    from pipelines.register.db import connect

    db = connect(settings)
    from pipelines.register.runs import record_run

    record_run(year, run_id, "success" if ok else "failure", db=db)


CLI_TAG = {"evstats/launched_by": "cli"}


def wait_for_writers(
    instance: DagsterInstance, *, say: Words, poll_seconds: float = 2, limit_seconds: float = 1800
) -> None:
    """One warehouse writer at a time at the command line too: a run the daemon or the
    UI launched is waited for, not raced (DuckDB would refuse the second writer). Once
    this run starts, it carries the writer tag, and the daemon's queue waits for it.

    Runs of this command are not waited for: one killed at the prompt stays "started"
    in the instance for ever, and nothing would ever end that wait. A launched run
    still "started" after `limit_seconds` (the instance's own limit for a dead run) is
    reported rather than waited for without end."""
    import time

    import dagster as dg

    from pipelines.assets.sensors import WRITER_TAG

    busy = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    started = time.monotonic()
    told = False
    while True:
        running = [
            r
            for r in instance.get_runs(dg.RunsFilter(statuses=busy, tags=WRITER_TAG))
            if r.tags.get("evstats/launched_by") != CLI_TAG["evstats/launched_by"]
        ]
        if not running:
            return
        if time.monotonic() - started > limit_seconds:
            minutes = round(limit_seconds / 60)
            raise ValueError(say("cli_run_stale", run=running[0].run_id, minutes=minutes))
        if not told:
            print(say("cli_waiting_for_run", run=running[0].run_id), file=sys.stderr)
            told = True
        time.sleep(poll_seconds)


def dagster_instance() -> DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set (runs show in the UI), else ephemeral."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _count(cell: str) -> int | None:
    """A count of the published table; empty where it is not published."""
    return int(cell) if cell else None


def _shown(value: float | None, say: Words, decimals: int = 0) -> str:
    """A headline figure as the user's language writes it, as the report does."""
    from pipelines.publish.numbers import fmt_number

    if value is None or value != value:
        return "–"
    return fmt_number(value, say.lang, decimals)


def report_outputs(settings: Settings, years: list[int], say: Words) -> None:
    """The published paths, with the year's headline so a run ends with an answer."""
    import csv

    from pipelines.publish.numbers import RATE_DECIMALS

    for year in years:
        tables = settings.tables_dir(year)
        national = tables / "national.csv"
        if not national.is_file():
            print(say("cli_no_tables", year=year))
            continue
        with open(national, encoding="utf-8", newline="") as f:
            row = next(csv.DictReader(f))
        incidents, missions = _count(row["incidents"]), _count(row["missions"])
        rate = float(row["incidents_per_1000_missions"] or "nan")
        headline = {
            "incidents": say("cli_incidents_count", n=incidents or 0, shown=_shown(incidents, say)),
            "missions": say("cli_missions_count", n=missions or 0, shown=_shown(missions, say)),
            "rate": say("cli_rate_per_1000", rate=_shown(rate, say, RATE_DECIMALS)),
            "regions": say("cli_regions_reporting_count", n=int(row["regions_reporting"])),
        }
        print(say("cli_headline", year=year, **headline))
        for path in [*sorted(tables.glob("*.csv")), *sorted(tables.glob("*.json"))]:
            print(f"  {path}")
        for path in sorted(settings.px_dir(year).glob("*.px")):
            print(f"  {path}")
        for path in sorted(tables.parent.glob("report*.html")) + sorted(
            tables.parent.glob("*.pdf")
        ):
            print(f"  {path}")


def cmd_run(args: argparse.Namespace) -> int:
    """One year run, then its published paths and headline."""
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    # Both before Dagster's import, which their imports then overlap.
    with gx_audit.running_worker(), report_workers.running():
        settings = load_settings(data_dir=args.data_dir)
        ok = run_year(settings, args.year, verbose=args.verbose, say=args.say)
    if ok:
        report_outputs(settings, [args.year], args.say)
    return 0 if ok else 1


def cmd_rebuild(args: argparse.Namespace) -> int:
    """The warehouse again from the register and the archive: the old one is kept aside,
    never deleted, and every year with receipts or an inbox folder is run in order."""
    from datetime import datetime

    from pipelines.ingest.inbox import inbox_years
    from pipelines.register.db import connect
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    settings = load_settings(data_dir=args.data_dir)
    db = connect(settings)
    from pipelines.register.models import Submission
    from pipelines.register.runs import forget_loads

    received = set(Submission.objects.using(db).values_list("year", flat=True).distinct())
    years = args.years or sorted(received | set(inbox_years(settings.inbox, finland_today().year)))
    if settings.warehouse.exists():
        aside = settings.warehouse.with_name(f"warehouse.{datetime.now():%Y%m%dT%H%M%S}.duckdb")
        os.replace(settings.warehouse, aside)
        print(args.say("cli_warehouse_aside", path=aside))
    forget_loads(db)
    with gx_audit.running_worker():
        ok = all(run_year(settings, year, verbose=args.verbose, say=args.say) for year in years)
    if ok:
        report_outputs(settings, years, args.say)
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """Demo files written to the inbox, then their years run, as a first look."""
    from pipelines.contract.demo import write_demo
    from pipelines.contract.schema import load_schema
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    with gx_audit.running_worker(), report_workers.running():
        settings = load_settings(data_dir=args.data_dir)
        written = write_demo(settings.inbox, load_schema(), args.years)
        print(args.say("cli_demo_wrote", n=len(written), folder=settings.inbox), file=sys.stderr)
        ok = all(
            [run_year(settings, year, verbose=args.verbose, say=args.say) for year in args.years]
        )
    print("\n" + args.say("cli_published_tables"))
    report_outputs(settings, args.years, args.say)
    return 0 if ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    """The report alone rebuilt from the warehouse, in the languages asked for."""
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    if not settings.warehouse.is_file():
        print(
            f"evstats report: {args.say('cli_no_warehouse', path=settings.warehouse)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with report_workers.running():
        ok = run_year(
            settings,
            args.year,
            verbose=args.verbose,
            say=args.say,
            only="yearly_report",
            languages=args.report_languages,
        )
    if ok:
        report_outputs(settings, [args.year], args.say)
    return 0 if ok else 1
