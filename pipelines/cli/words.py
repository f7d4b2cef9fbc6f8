"""The command line's words in one language, from `schemas/ui.yaml`: the parsers'
help, argparse's own words (usage, section titles, its error messages), and what
each command says (`args.say` in a handler is a `Words`).

argparse looks its words up through its module's `_` (gettext) when it writes
them; `Words.speaking` replaces that lookup while a command line is parsed, so
`evstats --lang fi run` says in Finnish which option is missing. The lookup is a
module global, so parsing in two threads at once would mix languages; `main`
parses once per process.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from pipelines.settings import today as finland_today

if TYPE_CHECKING:
    from pipelines.contract.schema import Schema

EXIT_ACCEPTED, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
FIRST_YEAR = 2000

# argparse's messages (its gettext msgids, with its %-placeholders) → their key in ui.yaml.
ARGPARSE_WORDS = {
    "%(prog)s: error: %(message)s\n": "argparse_error",
    "argument %(argument_name)s: %(message)s": "argparse_argument",
    "the following arguments are required: %s": "argparse_required",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse_invalid_choice",
    "invalid %(type)s value: %(value)r": "argparse_invalid_value",
    "unrecognized arguments: %s": "argparse_unrecognized",
    "expected one argument": "argparse_expected_one",
    "expected at least one argument": "argparse_expected_at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse_ambiguous",
}


class Words:
    """The command line's texts in one language, and parsers written in it;
    `configured` is the settings' language, which the help names as the default."""

    def __init__(self, schema: Schema, lang: str, configured: str) -> None:
        self.schema, self.lang, self.configured = schema, lang, configured
        prefix = self("help_usage")

        class Formatter(argparse.HelpFormatter):
            def add_usage(self, usage: Any, actions: Any, groups: Any, prefix_: Any = None) -> None:
                super().add_usage(usage, actions, groups, prefix if prefix_ is None else prefix_)

        self.formatter = Formatter

    def __call__(self, key: str, **params: object) -> str:
        return self.schema.text(key, self.lang, **params)

    @contextmanager
    def speaking(self) -> Iterator[None]:
        """argparse's own messages in this language while the block runs (the lookup is
        argparse's module global, so it is put back however the block ends)."""
        english = argparse._

        def translate(message: str) -> str:
            key = ARGPARSE_WORDS.get(message)
            return self(key) if key else english(message)

        argparse._ = translate
        try:
            yield
        finally:
            argparse._ = english

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

    def region(self, value: str) -> str:
        """A region code of the code list, for `type=`."""
        codes = self.schema.codelists["regions"].codes
        if value not in codes:
            raise argparse.ArgumentTypeError(
                self("bad_region", value=repr(value), codes=", ".join(codes))
            )
        return value

    def year(self, value: str) -> int:
        """A statistics year from 2000 to this year (in Finland), for `type=`."""
        last = finland_today().year
        if not value.isdigit() or not FIRST_YEAR <= int(value) <= last:
            raise argparse.ArgumentTypeError(
                self("bad_year", value=repr(value), first=FIRST_YEAR, last=last)
            )
        return int(value)

    def day(self, value: str) -> date:
        """A date written as 2025-03-15, for `type=`."""
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(self("bad_date", value=repr(value))) from None

    def metavar(self, name: str) -> str:
        return self(f"help_metavar_{name}")


def aligned(rows: list[list[str]]) -> list[str]:
    """Rows of cells as lines of columns two spaces apart, each as wide as its widest
    cell, for a reader at a terminal and for `split()` in a script."""
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
