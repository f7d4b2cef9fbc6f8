"""The `evstats` command: validate a file, run a year, or run the demo.

Heavy libraries (Dagster, GX) are imported inside the commands that need
them, so `evstats --help` and usage errors answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines import __version__

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from pipelines.contract.schema import Schema
    from pipelines.settings import Settings
    from pipelines.validate.verdict import Verdict

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
SHOWN_ISSUES = 50


def _region(value: str) -> str:
    from pipelines.contract.schema import load_schema

    codes = load_schema().codelists["regions"].codes
    if value not in codes:
        raise argparse.ArgumentTypeError(
            f"unknown region code {value!r}; valid: {', '.join(codes)}"
        )
    return value


def _year(value: str) -> int:
    if not value.isdigit() or not 2000 <= int(value) <= date.today().year:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a reporting year (2000–{date.today().year})"
        )
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evstats",
        description="Statistics of threats and violence against EMS staff in Finland.",
    )
    parser.add_argument("--version", action="version", version=f"evstats {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check a CSV file before submitting it")
    v.add_argument("file", type=Path)
    v.add_argument("--region", type=_region, help="region code the file is for, e.g. 05")
    v.add_argument("--year", type=_year, help="reporting year the file is for")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.add_argument("--lang", choices=["fi", "sv", "en"], help="language of messages (default: fi)")
    v.add_argument(
        "--all", action="store_true", help=f"show every issue, not the first {SHOWN_ISSUES}"
    )
    v.add_argument(
        "--gx",
        action="store_true",
        help="evaluate the rules with Great Expectations, as the pipeline does "
        "(same verdict, several seconds slower to start)",
    )

    r = sub.add_parser("report", help="rebuild the report of a year from the warehouse")
    r.add_argument("--year", type=_year, required=True)
    r.add_argument(
        "--lang",
        choices=["fi", "sv", "en"],
        action="append",
        help="language (repeatable; default: fi, sv and en)",
    )
    r.add_argument("--data-dir", help="data directory (default: EVSTATS_DATA_DIR or ./data)")
    r.add_argument("--verbose", action="store_true", help="show Dagster's full event log")

    t = sub.add_parser("template", help="write CSV and Excel templates for regions")
    t.add_argument("--lang", choices=["fi", "sv", "en"], default="fi")
    t.add_argument("--out", type=Path, default=Path("."), help="folder to write to (default: .)")

    h = sub.add_parser("history", help="list the submissions of a year and their verdicts")
    h.add_argument("--year", type=_year, required=True)
    h.add_argument("--region", type=_region)
    h.add_argument("--data-dir", help="data directory (default: EVSTATS_DATA_DIR or ./data)")
    h.add_argument("--issues", action="store_true", help="list the issues of each submission too")

    for name, text in [
        ("run", "run the pipeline for a year"),
        ("demo", "generate demo data and run it"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("--data-dir", help="data directory (default: EVSTATS_DATA_DIR or ./data)")
        p.add_argument("--verbose", action="store_true", help="show Dagster's full event log")
        if name == "run":
            p.add_argument("--year", type=_year, required=True)
        else:
            p.add_argument("--years", type=_year, nargs="+", default=[2021, 2022, 2023, 2024])
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    from pipelines.contract.schema import load_schema
    from pipelines.settings import load_settings
    from pipelines.validate.verdict import SubmissionFile, validate_files

    settings = load_settings(lang=args.lang)
    lang = settings.lang
    if not args.file.is_file():
        print(f"evstats validate: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    schema = load_schema()
    submission = SubmissionFile(args.file.name, args.file.read_bytes(), args.region, args.year)
    verdict = validate_files(
        [submission],
        schema,
        lang=lang,
        today=date.today(),
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
            "summary",
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
    if verdict.encoding:
        names = {
            "cp1252": "Windows-1252",
            "utf-8-sig": "UTF-8 (BOM)",
            "utf-8": "UTF-8",
            "utf-16": "UTF-16",
        }
        separator = {"\t": "tab"}.get(verdict.delimiter or ",", verdict.delimiter)
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
) -> bool:
    """Materialize the year through the same Definitions the Dagster UI loads; `only`
    names one asset to rebuild from the warehouse without re-ingesting."""
    import dagster as dg

    from pipelines.definitions import JOB_NAME, build_defs

    defs = build_defs(settings)
    job = defs.resolve_job_def(JOB_NAME)
    loggers = {"console": {"config": {"log_level": "INFO"}}} if verbose else {"progress": {}}
    run_config: dict[str, object] = {"loggers": loggers}
    if languages:
        run_config["ops"] = {"yearly_report": {"config": {"languages": languages}}}
    print(f"evstats {__version__}: year {year}", file=sys.stderr)
    with _instance() as instance:
        result = job.execute_in_process(
            partition_key=str(year),
            instance=instance,
            raise_on_error=False,
            run_config=run_config,
            asset_selection=[dg.AssetKey(only)] if only else None,
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


def _instance() -> DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set (runs show in the UI), else ephemeral."""
    import os

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
        for path in sorted(tables.glob("*.csv")):
            print(f"  {path}")
        for path in sorted(tables.parent.glob("report*.html")) + sorted(
            tables.parent.glob("*.pdf")
        ):
            print(f"  {path}")


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    gx_audit.start_worker()  # before Dagster's import, which it then overlaps

    settings = load_settings(data_dir=args.data_dir)
    ok = run_year(settings, args.year, verbose=args.verbose)
    if ok:
        _report_outputs(settings, [args.year])
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.contract.demo import write_demo
    from pipelines.contract.schema import load_schema
    from pipelines.settings import load_settings
    from pipelines.validate import gx_audit

    gx_audit.start_worker()
    settings = load_settings(data_dir=args.data_dir)
    written = write_demo(settings.inbox, load_schema(), args.years)
    print(f"demo: wrote {len(written)} submission files to {settings.inbox}", file=sys.stderr)
    ok = all([run_year(settings, year, verbose=args.verbose) for year in args.years])
    print("\nPublished tables:")
    _report_outputs(settings, args.years)
    return 0 if ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    if not settings.warehouse.is_file():
        print(
            f"evstats report: no warehouse at {settings.warehouse}: run the year first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    ok = run_year(
        settings, args.year, verbose=args.verbose, only="yearly_report", languages=args.lang
    )
    if ok:
        _report_outputs(settings, [args.year])
    return 0 if ok else 1


def cmd_template(args: argparse.Namespace) -> int:
    from pipelines.contract.schema import load_schema
    from pipelines.contract.template import write_templates

    for path in write_templates(load_schema(), args.lang, args.out):
        print(path)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """The register, read-only, so it can be looked at while nothing runs."""
    import duckdb

    from pipelines.settings import load_settings

    settings = load_settings(data_dir=args.data_dir)
    if not settings.warehouse.is_file():
        print(f"evstats history: no warehouse at {settings.warehouse}", file=sys.stderr)
        return EXIT_USAGE
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT s.submission_id, s.region_code, s.file_name, coalesce(s.kind, '?'), s.status, "
            "s.rows, s.errors, s.warnings, strftime(s.received_at, '%Y-%m-%d %H:%M'), "
            "f.submission_id IS NOT NULL FROM submissions s "
            "LEFT JOIN submissions_in_force f USING (submission_id) "
            "WHERE s.year = ? AND (? IS NULL OR s.region_code = ?) ORDER BY s.submission_id",
            [args.year, args.region, args.region],
        ).fetchall()
        issues = con.execute(
            'SELECT submission_id, severity, "row", "column", message FROM submission_issues '
            "WHERE submission_id IN (SELECT submission_id FROM submissions WHERE year = ?) "
            "ORDER BY submission_id, rowid",
            [args.year],
        ).fetchall()
    header = [
        "id",
        "region",
        "file",
        "kind",
        "status",
        "rows",
        "errors",
        "warnings",
        "received (UTC)",
        "in force",
    ]
    table = [[str(v) if v is not None else "" for v in r[:9]] + ["✔" if r[9] else ""] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(header, *table, strict=False)]
    for line in [header, *table]:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        if args.issues and line is not header:
            for sid, severity, row, column, message in issues:
                if str(sid) == line[0]:
                    print(f"      {severity} row {row or '-'} {column or ''}: {message}")
    if not rows:
        print(f"no submissions for {args.year}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands = {
        "validate": cmd_validate,
        "run": cmd_run,
        "demo": cmd_demo,
        "template": cmd_template,
        "report": cmd_report,
        "history": cmd_history,
    }
    try:
        return commands[args.command](args)
    except ValueError as exc:
        print(f"evstats: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
