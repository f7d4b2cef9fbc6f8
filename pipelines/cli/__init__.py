"""The `evstats` command: a registry of commands, one module per group, as pip's
`commands/` package has.

Each group's module adds its own sub-parsers and handlers; this module only knows
which module a command lives in (`COMMANDS`), imports it by that name, and
resolves the language once (`language.Language`). The modules import heavy
libraries (Dagster, GX, Django) inside their handlers, so `evstats --help`,
usage errors and `evstats validate` answer at once.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
from typing import NoReturn

from pipelines import __version__
from pipelines.cli.language import Language, given_language
from pipelines.cli.words import EXIT_USAGE, Words
from pipelines.contract.i18n import LANGUAGES

# Every command → the module of its group, in the order the help lists them.
COMMANDS = {
    "validate": "validate",
    "submit": "register",
    "report": "pipeline",
    "template": "validate",
    "history": "register",
    "rebuild": "pipeline",
    "release": "release",
    "releases": "release",
    "run": "pipeline",
    "demo": "pipeline",
    "demo-portal": "demo_portal",
    "migrate": "register",
    "serve": "portal",
    "users": "portal",
    "tokens": "portal",
}


def build_parser(t: Words) -> argparse.ArgumentParser:
    """The parser of every command, its help in the language of `t`; each group's module
    adds its commands' sub-parsers, in the order of `COMMANDS`."""
    parser, _, options = t.parser(
        argparse.ArgumentParser, prog="evstats", description=t("help_description")
    )
    options.add_argument(
        "--version", action="version", version=f"evstats {__version__}", help=t("help_version")
    )
    options.add_argument("--lang", choices=LANGUAGES, dest="top_lang", help=t("help_lang"))
    sub = parser.add_subparsers(
        title=t("help_commands"), dest="command", required=True, metavar=t.metavar("command")
    )
    for name, group in COMMANDS.items():
        importlib.import_module(f"pipelines.cli.{group}").add_parser(name, sub, t)
    return parser


def _configured_lang() -> str:
    """The settings' language (config file or EVSTATS_LANG), the last in the precedence."""
    from pipelines.settings import load_settings

    return load_settings().lang


def main(argv: list[str] | None = None) -> int:
    """Parse the command line in the user's language, then run the chosen command with
    `args.lang` the language of its messages, `args.say` its words, and `args.help_lang`
    the language of usage errors."""
    from pipelines.contract.schema import load_schema

    arguments = sys.argv[1:] if argv is None else argv
    try:
        language = Language(os.environ, _configured_lang())
    except ValueError as exc:
        print(f"evstats: {exc}", file=sys.stderr)
        return EXIT_USAGE
    words = Words(
        load_schema(), language.of(given_language(arguments), help=True), language.configured
    )
    with words.speaking():
        args = build_parser(words).parse_args(arguments)
    args.help_lang = words.lang
    args.lang = language.of(getattr(args, "lang", None) or args.top_lang)
    args.say = Words(words.schema, args.lang, language.configured)
    try:
        return args.handler(args)
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
