"""The `evstats` command: validate a file, run a year, or run the demo.

Heavy libraries (Dagster, GX) are imported inside the commands that need
them, so `evstats --help` and usage errors answer at once. The help is in
Finnish, Swedish or English (`help_language`), its texts in `schemas/ui.yaml`.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pipelines import __version__
from pipelines.contract.i18n import LANGUAGES
from pipelines.settings import today as finland_today

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from pipelines.contract.schema import Schema
    from pipelines.settings import Settings
    from pipelines.validate.verdict import Verdict

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
SHOWN_ISSUES = 50
# Where gettext looks for the user's language, in its order; C and POSIX name none.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def help_language(argv: Sequence[str], environ: Mapping[str, str], default: str) -> str:
    """The language of the help and of usage errors: `--lang` anywhere in the command
    line (argparse answers `--help` before it has read the options after it), else
    EVSTATS_LANG, else the user's locale as gettext reads it, else `default` (the
    settings' language). A locale in a language evstats does not speak gets English,
    as an untranslated program would."""
    for i, arg in enumerate(argv):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGUAGES:
            return value
    if environ.get("EVSTATS_LANG") in LANGUAGES:
        return environ["EVSTATS_LANG"]
    for name in LOCALE_VARIABLES:
        entries = [e for e in environ.get(name, "").split(":") if e]
        codes = [e.split(".")[0].split("@")[0].split("_")[0].lower() for e in entries]
        named = [c for c in codes if c not in ("c", "posix")]
        if named:
            return next((c for c in named if c in LANGUAGES), "en")
    return default


class _Help:
    """Parsers whose help is in one language: argparse's own words (usage, section
    titles, -h) and every option's help come from `ui.yaml`'s `help_*` texts."""

    def __init__(self, schema: Schema, lang: str) -> None:
        self.schema, self.lang = schema, lang
        prefix = self("help_usage")

        class Formatter(argparse.HelpFormatter):
            def add_usage(self, usage: Any, actions: Any, groups: Any, prefix_: Any = None) -> None:
                super().add_usage(usage, actions, groups, prefix if prefix_ is None else prefix_)

        self.formatter = Formatter

    def __call__(self, key: str, **params: object) -> str:
        return self.schema.text(key, self.lang, **params)

    def parser(
        self, make: Any, *args: str, **kwargs: Any
    ) -> tuple[argparse.ArgumentParser, Any, Any]:
        """A parser with its positional arguments and options in titled groups of the
        language (argparse would title them in English), and a translated `-h`."""
        parser = make(*args, add_help=False, formatter_class=self.formatter, **kwargs)
        positionals = parser.add_argument_group(self("help_positionals"))
        options = parser.add_argument_group(self("help_options"))
        options.add_argument("-h", "--help", action="help", help=self("help_help"))
        return parser, positionals, options


def build_parser(lang: str = "en", default_lang: str = "fi") -> argparse.ArgumentParser:
    """The parser with its help in `lang`; `default_lang` is the settings' language, which
    messages and templates take when `--lang` is not given."""
    from pipelines.contract.schema import load_schema

    schema = load_schema()
    t = _Help(schema, lang)
    region_codes = schema.codelists["regions"].codes

    def region(value: str) -> str:
        if value not in region_codes:
            raise argparse.ArgumentTypeError(
                t("bad_region", value=repr(value), codes=", ".join(region_codes))
            )
        return value

    def year(value: str) -> int:
        last = finland_today().year
        if not value.isdigit() or not 2000 <= int(value) <= last:
            raise argparse.ArgumentTypeError(
                t("bad_year", value=repr(value), first=2000, last=last)
            )
        return int(value)

    code, year_, folder = (t(f"help_metavar_{k}") for k in ("code", "year", "folder"))
    parser, _, options = t.parser(
        argparse.ArgumentParser, prog="evstats", description=t("help_description")
    )
    options.add_argument(
        "--version", action="version", version=f"evstats {__version__}", help=t("help_version")
    )
    options.add_argument("--lang", choices=LANGUAGES, dest="top_lang", help=t("help_lang"))
    parser.set_defaults(help_lang=lang)  # usage errors found after parsing speak it too
    sub = parser.add_subparsers(
        title=t("help_commands"), dest="command", required=True, metavar=t("help_metavar_command")
    )

    _, positionals, options = t.parser(
        sub.add_parser,
        "validate",
        help=t("help_validate"),
        description=t("help_validate"),
        epilog=t("help_validate_epilog"),
    )
    positionals.add_argument(
        "file", type=Path, metavar=t("help_metavar_file"), help=t("help_validate_file")
    )
    options.add_argument("--region", type=region, metavar=code, help=t("help_validate_region"))
    options.add_argument("--year", type=year, metavar=year_, help=t("help_validate_year"))
    options.add_argument(
        "--format", choices=["text", "json"], default="text", help=t("help_validate_format")
    )
    options.add_argument(
        "--lang", choices=LANGUAGES, help=t("help_validate_lang", default=default_lang)
    )
    options.add_argument("--all", action="store_true", help=t("help_validate_all", n=SHOWN_ISSUES))
    options.add_argument("--gx", action="store_true", help=t("help_validate_gx"))

    _, positionals, options = t.parser(
        sub.add_parser, "submit", help=t("help_submit"), description=t("help_submit")
    )
    positionals.add_argument(
        "file", type=Path, metavar=t("help_metavar_file"), help=t("help_submit_file")
    )
    options.add_argument(
        "--region", type=region, metavar=code, required=True, help=t("help_submit_region")
    )
    options.add_argument(
        "--year", type=year, metavar=year_, required=True, help=t("help_submit_year")
    )
    options.add_argument(
        "--lang", choices=LANGUAGES, help=t("help_validate_lang", default=default_lang)
    )
    options.add_argument(
        "--format", choices=["text", "json"], default="text", help=t("help_validate_format")
    )
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))

    _, _, options = t.parser(
        sub.add_parser, "report", help=t("help_report"), description=t("help_report")
    )
    options.add_argument("--year", type=year, metavar=year_, required=True, help=t("help_year"))
    options.add_argument("--lang", choices=LANGUAGES, action="append", help=t("help_report_lang"))
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
    options.add_argument("--verbose", action="store_true", help=t("help_verbose"))

    _, _, options = t.parser(
        sub.add_parser, "template", help=t("help_template"), description=t("help_template")
    )
    options.add_argument(
        "--lang", choices=LANGUAGES, help=t("help_template_lang", default=default_lang)
    )
    options.add_argument(
        "--out", type=Path, default=Path("."), metavar=folder, help=t("help_template_out")
    )

    _, _, options = t.parser(
        sub.add_parser, "history", help=t("help_history"), description=t("help_history")
    )
    options.add_argument("--year", type=year, metavar=year_, required=True, help=t("help_year"))
    options.add_argument("--region", type=region, metavar=code, help=t("help_history_region"))
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
    options.add_argument("--issues", action="store_true", help=t("help_history_issues"))

    _, _, options = t.parser(
        sub.add_parser, "rebuild", help=t("help_rebuild"), description=t("help_rebuild")
    )
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
    options.add_argument("--verbose", action="store_true", help=t("help_verbose"))
    options.add_argument(
        "--years", type=year, nargs="+", metavar=year_, help=t("help_rebuild_years")
    )

    def day(value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(t("bad_date", value=repr(value))) from None

    _, _, options = t.parser(
        sub.add_parser, "release", help=t("help_release"), description=t("help_release")
    )
    options.add_argument("--year", type=year, metavar=year_, required=True, help=t("help_year"))
    options.add_argument(
        "--note", default="", metavar=t("help_metavar_text"), help=t("help_release_note")
    )
    options.add_argument(
        "--date", type=day, metavar=t("help_metavar_date"), help=t("help_release_date")
    )
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
    options.add_argument("--verbose", action="store_true", help=t("help_verbose"))

    _, _, options = t.parser(
        sub.add_parser, "releases", help=t("help_releases"), description=t("help_releases")
    )
    options.add_argument("--year", type=year, metavar=year_, required=True, help=t("help_year"))
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))

    for name in ("run", "demo"):
        _, _, options = t.parser(
            sub.add_parser, name, help=t(f"help_{name}"), description=t(f"help_{name}")
        )
        options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
        options.add_argument("--verbose", action="store_true", help=t("help_verbose"))
        if name == "run":
            options.add_argument(
                "--year", type=year, metavar=year_, required=True, help=t("help_year")
            )
        else:
            options.add_argument(
                "--years",
                type=year,
                nargs="+",
                metavar=year_,
                default=[2021, 2022, 2023, 2024],
                help=t("help_years"),
            )
    _, _, options = t.parser(
        sub.add_parser, "migrate", help=t("help_migrate"), description=t("help_migrate")
    )
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))

    _, _, options = t.parser(
        sub.add_parser, "serve", help=t("help_serve"), description=t("help_serve")
    )
    options.add_argument("--host", default="127.0.0.1", help=t("help_serve_host"))
    options.add_argument("--port", type=int, default=8000, help=t("help_serve_port"))
    options.add_argument("--workers", type=int, default=2, help=t("help_serve_workers"))
    options.add_argument("--threads", type=int, default=4, help=t("help_serve_threads"))
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))

    def portal_command(group: str, name: str) -> tuple[Any, Any]:
        """`evstats <group> <name>`: the portal's account commands, on a data directory."""
        parent, _, _ = t.parser(
            sub.add_parser, group, help=t(f"help_{group}"), description=t(f"help_{group}")
        )
        actions = parent.add_subparsers(
            dest="action", required=True, metavar=t("help_metavar_command")
        )
        key = f"help_{group}_{name}"
        _, positionals, options = t.parser(
            actions.add_parser, name, help=t(key), description=t(key)
        )
        options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
        return positionals, options

    positionals, options = portal_command("users", "add")
    positionals.add_argument("email", metavar="EMAIL", help=t("help_users_email"))
    options.add_argument("--region", type=region, metavar=code, help=t("help_users_region"))
    options.add_argument(
        "--role", choices=["submitter", "analyst"], default="submitter", help=t("help_users_role")
    )
    options.add_argument("--link", action="store_true", help=t("help_users_link"))
    options.add_argument(
        "--base-url", default="http://127.0.0.1:8000", help=t("help_users_base_url")
    )
    _, options = portal_command("tokens", "create")
    options.add_argument(
        "--region", type=region, metavar=code, required=True, help=t("help_tokens_region")
    )
    options.add_argument("--name", default="", help=t("help_tokens_name"))

    parser.set_defaults(default_lang=default_lang)
    return parser


def _default_lang() -> str:
    """The language of messages and templates when `--lang` is not given."""
    from pipelines.settings import load_settings

    return load_settings().lang


def cmd_validate(args: argparse.Namespace) -> int:
    from pipelines.contract.schema import load_schema
    from pipelines.settings import load_settings
    from pipelines.validate.verdict import SubmissionFile, validate_files

    settings = load_settings(lang=args.lang)
    lang = settings.lang
    schema = load_schema()
    if not args.file.is_file():
        usage_error = schema.text("no_such_file", args.help_lang, file=args.file)
        print(f"evstats validate: {usage_error}", file=sys.stderr)
        return EXIT_USAGE
    submission = SubmissionFile(args.file.name, args.file.read_bytes(), args.region, args.year)
    verdict = validate_files(
        [submission],
        schema,
        lang=lang,
        today=finland_today(),
        limits=settings.limits,
        evaluator="gx" if args.gx else "polars",
    )[0]
    if args.format == "json":
        print(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_verdict(verdict, schema, lang, show_all=args.all))
    return EXIT_ACCEPTED if verdict.accepted else EXIT_REJECTED


def format_verdict(verdict: Verdict, schema: Schema, lang: str, *, show_all: bool = False) -> str:
    """The verdict as a data contact reads it: summary first, then each issue."""
    kind = (
        schema.contracts[verdict.kind].labels[lang]
        if verdict.kind
        else schema.text("unknown_kind", lang)
    )
    lines = [
        schema.text(
            "summary" if verdict.kind else "summary_unread",
            lang,
            file=verdict.file,
            verdict=schema.text("accepted" if verdict.accepted else "rejected", lang),
            kind=kind,
            rows=schema.text("rows_count", lang, n=verdict.rows),
            errors=schema.text(
                "errors_count", lang, n=verdict.count("fatal") + verdict.count("error")
            ),
            warnings=schema.text("warnings_count", lang, n=verdict.count("warning")),
        )
    ]
    if verdict.sheet is not None:
        lines.append("  " + schema.text("read_as_workbook", lang, sheet=f"«{verdict.sheet}»"))
    elif verdict.encoding:
        names = {
            "cp1252": "Windows-1252",
            "utf-8-sig": "UTF-8 (BOM)",
            "utf-8": "UTF-8",
            "utf-16": "UTF-16",
        }
        separator = {"\t": schema.text("tab", lang)}.get(
            verdict.delimiter or ",", verdict.delimiter
        )
        lines.append(
            "  "
            + schema.text(
                "read_as", lang, encoding=names[verdict.encoding], delimiter=f"«{separator}»"
            )
        )
    shown = verdict.issues if show_all else verdict.issues[:SHOWN_ISSUES]
    for i in shown:
        where = []
        if i.row is not None:
            where.append(f"{schema.text('row', lang)} {i.row}")
        if i.column:
            where.append(f"{schema.text('column', lang)} {verdict.headers.get(i.column, i.column)}")
        place = f" ({', '.join(where)})" if where else ""
        lines.append(f"  {schema.text(i.severity, lang)}{place}: {i.message}")
    if len(shown) < len(verdict.issues):
        lines.append("  " + schema.text("more", lang, n=len(verdict.issues) - len(shown)))
    return "\n".join(lines)


def run_year(
    settings: Settings,
    year: int,
    *,
    verbose: bool,
    only: str | None = None,
    languages: list[str] | None = None,
    release: dict | None = None,
) -> bool:
    """Materialize the year through the same Definitions the Dagster UI loads; `only`
    names one asset to rebuild from the warehouse without re-ingesting, `release` the
    run config of the release the run is made for (as the daemon's sensor gives it)."""
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
    print(f"evstats {__version__}: year {year}", file=sys.stderr)
    with _instance() as instance:
        wait_for_writers(instance)
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
    if failed or not result.success:
        print(f"year {year}: the run failed at {', '.join(failed) or 'a check'}", file=sys.stderr)
    return result.success and not failed


CLI_TAG = {"evstats/launched_by": "cli"}


def wait_for_writers(
    instance: DagsterInstance, poll_seconds: float = 2, limit_seconds: float = 1800
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
            raise ValueError(
                f"run {running[0].run_id} has been writing the warehouse for over "
                f"{limit_seconds / 60:.0f} minutes; if no daemon is running it is stale: "
                "mark it failed in the Dagster UI, then run again"
            )
        if not told:
            print(f"waiting for run {running[0].run_id} to finish…", file=sys.stderr)
            told = True
        time.sleep(poll_seconds)


def _instance() -> DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set (runs show in the UI), else ephemeral."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _report_outputs(settings: Settings, years: list[int]) -> None:
    """The published paths, with the year's headline so a run ends with an answer."""
    import csv

    for year in years:
        tables = settings.tables_dir(year)
        national = tables / "national.csv"
        if not national.is_file():
            print(f"{year}: no published tables")
            continue
        with open(national, encoding="utf-8", newline="") as f:
            row = next(csv.DictReader(f))
        print(
            f"{year}: {row['incidents'] or '–'} incidents, {row['missions']} missions, "
            f"{row['incidents_per_1000_missions'] or '–'} per 1,000 missions, "
            f"{row['regions_reporting']} regions reporting"
        )
        for path in [*sorted(tables.glob("*.csv")), *sorted(tables.glob("*.json"))]:
            print(f"  {path}")
        for path in sorted(settings.px_dir(year).glob("*.px")):
            print(f"  {path}")
        for path in sorted(tables.parent.glob("report*.html")) + sorted(
            tables.parent.glob("*.pdf")
        ):
            print(f"  {path}")


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    # Both before Dagster's import, which their imports then overlap.
    with gx_audit.running_worker(), report_workers.running():
        settings = load_settings(data_dir=args.data_dir)
        ok = run_year(settings, args.year, verbose=args.verbose)
    if ok:
        _report_outputs(settings, [args.year])
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
        print(f"previous warehouse kept as {aside}")
    forget_loads(db)
    with gx_audit.running_worker():
        ok = all(run_year(settings, year, verbose=args.verbose) for year in years)
    if ok:
        _report_outputs(settings, years)
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.contract.demo import write_demo
    from pipelines.contract.schema import load_schema
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    with gx_audit.running_worker(), report_workers.running():
        settings = load_settings(data_dir=args.data_dir)
        written = write_demo(settings.inbox, load_schema(), args.years)
        print(f"demo: wrote {len(written)} submission files to {settings.inbox}", file=sys.stderr)
        ok = all([run_year(settings, year, verbose=args.verbose) for year in args.years])
    print("\nPublished tables:")
    _report_outputs(settings, args.years)
    return 0 if ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.publish import report_workers
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    if not settings.warehouse.is_file():
        print(
            f"evstats report: no warehouse at {settings.warehouse}: run the year first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with report_workers.running():
        ok = run_year(
            settings, args.year, verbose=args.verbose, only="yearly_report", languages=args.lang
        )
    if ok:
        _report_outputs(settings, [args.year])
    return 0 if ok else 1


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


def cmd_submit(args: argparse.Namespace) -> int:
    """A file received from the command line, as the portal receives an upload."""
    from pipelines.contract.schema import load_schema
    from pipelines.register.db import connect
    from pipelines.settings import load_settings
    from pipelines.validate.receipt import judge, judged

    settings = load_settings(data_dir=args.data_dir)
    lang = args.lang or settings.lang
    schema = load_schema()
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"evstats submit: {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if len(data) > settings.limits.max_bytes:
        print(f"evstats submit: {args.file}: over {settings.max_file_mb} MB", file=sys.stderr)
        return EXIT_USAGE
    db = connect(settings)
    from pipelines.register.receipts import receive

    verdict = judge(args.file.name, data, args.region, args.year, schema, settings, lang, db=db)
    receipt = receive(
        settings, args.year, args.region, data, judged(verdict, schema, lang), "cli", db=db
    )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "submission_id": receipt.id,
                    "state": receipt.state,
                    "repeats": receipt.repeats_id,
                    **verdict.as_dict(),
                },
                ensure_ascii=False,
            )
        )
    else:
        print(format_verdict(verdict, schema, lang, show_all=False))
        print(
            f"receipt {receipt.id}: {receipt.state}"
            + (f" (repeats receipt {receipt.repeats_id})" if receipt.repeats_id else "")
        )
    return EXIT_ACCEPTED if verdict.accepted else EXIT_REJECTED


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


def cmd_template(args: argparse.Namespace) -> int:
    from pipelines.contract.schema import load_schema
    from pipelines.contract.template import write_templates

    for path in write_templates(load_schema(), args.lang or args.default_lang, args.out):
        print(path)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """What the register holds of a year: every receipt in the order received, its
    channel, verdict and state in the lifecycle (times in Finland's time)."""
    from pipelines.register.db import connect
    from pipelines.settings import TIME_ZONE, load_settings

    settings = load_settings(data_dir=args.data_dir)
    db = connect(settings)
    from pipelines.register.models import Submission

    receipts = Submission.objects.using(db).filter(year=args.year).order_by("region_code", "seq")
    if args.region:
        receipts = receipts.filter(region_code=args.region)
    header = [
        "id",
        "region",
        "seq",
        "file",
        "kind",
        "channel",
        "state",
        "rows",
        "errors",
        "warnings",
        "received",
    ]
    table = [
        [
            str(r.id),
            r.region_code,
            str(r.seq),
            r.file_name,
            r.kind or "?",
            r.channel,
            r.state + (f" (= {r.repeats_id})" if r.repeats_id else ""),
            str(r.rows),
            str(r.errors),
            str(r.warnings),
            f"{r.received_at.astimezone(TIME_ZONE):%Y-%m-%d %H:%M}",
        ]
        for r in receipts
    ]
    issues = {r.id: r.issues for r in receipts} if args.issues else {}
    widths = [max(len(x) for x in col) for col in zip(header, *table, strict=False)]
    for line in [header, *table]:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        if line is not header:
            for i in issues.get(int(line[0]), []):
                place = f"row {i['row'] or '-'} {i['column'] or ''}"
                print(f"      {i['severity']} {place}: {i['message']}")
    if not table:
        print(f"no submissions for {args.year}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """The register's and the portal's tables created or migrated, once, before the
    service's processes start (left to them, two would migrate a new database at once)."""
    from pipelines.portal import commands

    commands.setup(args.data_dir)
    print("register and portal tables up to date")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from pipelines.portal import commands, server

    commands.setup(args.data_dir)
    print(f"evstats portal: http://{args.host}:{args.port}/", flush=True)
    server.serve(args.host, args.port, args.workers, args.threads)
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from pipelines.portal import commands

    commands.setup(args.data_dir)
    password = None if args.link else commands.read_password()
    from django.core.exceptions import ValidationError

    try:
        user = commands.add_user(args.email, args.region, args.role, password)
    except ValidationError as exc:
        print("evstats users add: " + " ".join(exc.messages), file=sys.stderr)
        return EXIT_USAGE
    where = f" of region {user.region_code}" if user.region_code else ""
    print(f"added {user.role} {user.email}{where}")
    if args.link:
        print(f"one-time sign-in link (shown once): {commands.sign_in_link(user, args.base_url)}")
    return 0


def cmd_tokens(args: argparse.Namespace) -> int:
    from pipelines.portal import commands

    commands.setup(args.data_dir)
    token = commands.create_token(args.region, args.name)
    print(f"token for region {args.region} (shown once, only its hash is kept):")
    print(token)
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    try:
        default_lang = _default_lang()
    except ValueError as exc:
        print(f"evstats: {exc}", file=sys.stderr)
        return EXIT_USAGE
    lang = help_language(arguments, os.environ, default_lang)
    args = build_parser(lang, default_lang).parse_args(arguments)
    if args.top_lang and args.command in ("validate", "template") and args.lang is None:
        args.lang = args.top_lang
    commands = {
        "validate": cmd_validate,
        "submit": cmd_submit,
        "run": cmd_run,
        "demo": cmd_demo,
        "template": cmd_template,
        "report": cmd_report,
        "history": cmd_history,
        "migrate": cmd_migrate,
        "serve": cmd_serve,
        "rebuild": cmd_rebuild,
        "release": cmd_release,
        "releases": cmd_releases,
        "users": cmd_users,
        "tokens": cmd_tokens,
    }
    try:
        return commands[args.command](args)
    except ValueError as exc:
        print(f"evstats: {exc}", file=sys.stderr)
        return EXIT_USAGE


def entry() -> NoReturn:
    """The `evstats` command as a process: `main`, then an exit without the interpreter's
    teardown. Everything a command writes is closed and its workers are joined by then,
    but tearing down the modules of Dagster, GX's client, DuckDB, Polars and matplotlib
    took a second at the end of every run. The exit handlers still run (logging's flush,
    temporary folders), and the standard streams are flushed."""
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
