"""`evstats validate` and `evstats template`: what a region's data contact runs before
sending a file. Neither imports Dagster or Django (the registry's test checks it), so
both answer at once."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.cli.words import EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE, Words
from pipelines.contract.i18n import LANGUAGES
from pipelines.settings import today as finland_today

if TYPE_CHECKING:
    from pipelines.contract.schema import Schema
    from pipelines.validate.verdict import Verdict

SHOWN_ISSUES = 50


def add_parser(name: str, sub: Any, t: Words) -> None:
    """The sub-parser of `validate` or `template`."""
    default = t.configured
    if name == "template":
        parser, _, options = t.parser(
            sub.add_parser, "template", help=t("help_template"), description=t("help_template")
        )
        options.add_argument(
            "--lang", choices=LANGUAGES, help=t("help_template_lang", default=default)
        )
        options.add_argument(
            "--out",
            type=Path,
            default=Path("."),
            metavar=t.metavar("folder"),
            help=t("help_template_out"),
        )
        parser.set_defaults(handler=cmd_template)
        return
    parser, positionals, options = t.parser(
        sub.add_parser,
        "validate",
        help=t("help_validate"),
        description=t("help_validate"),
        epilog=t("help_validate_epilog"),
    )
    positionals.add_argument(
        "file", type=Path, metavar=t.metavar("file"), help=t("help_validate_file")
    )
    options.add_argument(
        "--region", type=t.region, metavar=t.metavar("code"), help=t("help_validate_region")
    )
    options.add_argument(
        "--year", type=t.year, metavar=t.metavar("year"), help=t("help_validate_year")
    )
    options.add_argument(
        "--format", choices=["text", "json"], default="text", help=t("help_validate_format")
    )
    options.add_argument("--lang", choices=LANGUAGES, help=t("help_validate_lang", default=default))
    options.add_argument("--all", action="store_true", help=t("help_validate_all", n=SHOWN_ISSUES))
    options.add_argument("--gx", action="store_true", help=t("help_validate_gx"))
    parser.set_defaults(handler=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """A file's verdict, as the portal would give it, without recording anything."""
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
    if len(shown) < verdict.issue_count:
        lines.append("  " + schema.text("more", lang, n=verdict.issue_count - len(shown)))
    return "\n".join(lines)


def cmd_template(args: argparse.Namespace) -> int:
    """The regions' templates in the messages' language, one path a line."""
    from pipelines.contract.schema import load_schema
    from pipelines.contract.template import write_templates

    for path in write_templates(load_schema(), args.lang, args.out):
        print(path)
    return 0
