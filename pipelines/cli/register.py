"""`evstats submit`, `history` and `migrate`: the register at the command line, a file
received as the portal receives it, what a year holds, its tables made."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipelines.cli.validate import format_verdict
from pipelines.cli.words import EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE, Words, aligned
from pipelines.contract.i18n import LANGUAGES


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `submit`, `history` or `migrate`."""
    parser, positionals, options = t.parser(
        sub.add_parser, name, help=t(f"help_{name}"), description=t(f"help_{name}")
    )
    code, year, folder = t.metavar("code"), t.metavar("year"), t.metavar("folder")
    if name == "submit":
        positionals.add_argument(
            "file", type=Path, metavar=t.metavar("file"), help=t("help_submit_file")
        )
        options.add_argument(
            "--region", type=t.region, metavar=code, required=True, help=t("help_submit_region")
        )
        options.add_argument(
            "--year", type=t.year, metavar=year, required=True, help=t("help_submit_year")
        )
        options.add_argument(
            "--lang", choices=LANGUAGES, help=t("help_validate_lang", default=t.configured)
        )
        options.add_argument(
            "--format", choices=["text", "json"], default="text", help=t("help_validate_format")
        )
    if name == "history":
        options.add_argument(
            "--year", type=t.year, metavar=year, required=True, help=t("help_year")
        )
        options.add_argument("--region", type=t.region, metavar=code, help=t("help_history_region"))
    options.add_argument("--data-dir", metavar=folder, help=t("help_data_dir"))
    if name == "history":
        options.add_argument("--issues", action="store_true", help=t("help_history_issues"))
    handlers = {"submit": cmd_submit, "history": cmd_history, "migrate": cmd_migrate}
    parser.set_defaults(handler=handlers[name])


def cmd_submit(args: argparse.Namespace) -> int:
    """A file received from the command line, as the portal receives an upload."""
    from pipelines.contract.schema import load_schema
    from pipelines.register.db import connect
    from pipelines.settings import load_settings
    from pipelines.validate.receipt import judge, judged

    settings = load_settings(data_dir=args.data_dir)
    lang = args.lang
    schema = load_schema()
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"evstats submit: {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if len(data) > settings.limits.max_bytes:
        too_big = args.say("cli_too_big", file=args.file, mb=settings.max_file_mb)
        print(f"evstats submit: {too_big}", file=sys.stderr)
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
        key = "cli_receipt_repeats" if receipt.repeats_id else "cli_receipt"
        print(args.say(key, id=receipt.id, state=receipt.state, repeats=receipt.repeats_id))
    return EXIT_ACCEPTED if verdict.accepted else EXIT_REJECTED


def cmd_history(args: argparse.Namespace) -> int:
    """What the register holds of a year: every receipt in the order received, its
    channel, verdict and state in the lifecycle (times in Finland's time)."""
    from pipelines.contract.issues import render
    from pipelines.contract.schema import load_schema
    from pipelines.register.db import connect
    from pipelines.settings import TIME_ZONE, load_settings

    settings = load_settings(data_dir=args.data_dir)
    db = connect(settings)
    from pipelines.register.models import Submission

    receipts = Submission.objects.using(db).filter(year=args.year).order_by("region_code", "seq")
    if args.region:
        receipts = receipts.filter(region_code=args.region)
    columns = ("id", "region", "seq", "file", "kind", "channel", "state", "rows", "errors")
    header = [args.say(f"cli_col_{c}") for c in (*columns, "warnings", "received")]
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
    schema = load_schema()
    lines = aligned([header, *table])
    print(lines[0])
    for row, line in zip(table, lines[1:], strict=True):
        print(line)
        for i in (render(schema, i, args.lang) for i in issues.get(int(row[0]), [])):
            place = f"{args.say('row')} {i.row or '-'} {i.column or ''}"
            print(f"      {args.say(i.severity)} {place}: {i.message}")
    if not table:
        print(args.say("cli_no_submissions", year=args.year))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """The register's and the portal's tables created or migrated, once, before the
    service's processes start (left to them, two would migrate a new database at once)."""
    from pipelines.portal import commands

    commands.setup(args.data_dir)
    print(args.say("cli_migrated"))
    return 0
