"""The one answer to "which language does `evstats` speak?".

Help, usage errors and every command's messages ask `Language`; the help alone
also listens to the user's locale, because a help screen is read before anyone
has chosen a language, while a verdict is a record that follows the settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipelines.contract.i18n import LANGUAGES

# Where gettext looks for the user's language, in its order; C and POSIX name none.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def given_language(argv: Sequence[str]) -> str | None:
    """The language `--lang` names on the command line before it is parsed (argparse
    answers `--help` before it has read the options after it): the last one, so the
    command's own `--lang` wins over the one before the command."""
    given = None
    for i, arg in enumerate(argv):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGUAGES:
            given = value
    return given


def locale_language(environ: Mapping[str, str]) -> str | None:
    """The user's locale as gettext reads it; a language evstats does not speak gets
    English, as an untranslated program would."""
    for name in LOCALE_VARIABLES:
        entries = [e for e in environ.get(name, "").split(":") if e]
        codes = [e.split(".")[0].split("@")[0].split("_")[0].lower() for e in entries]
        named = [c for c in codes if c not in ("c", "posix")]
        if named:
            return next((c for c in named if c in LANGUAGES), "en")
    return None


@dataclass(frozen=True)
class Language:
    """The precedence, once: `--lang` (the command's, else the one before the command),
    else EVSTATS_LANG, else (for the help and usage errors only) the locale, else the
    settings' `lang`."""

    environ: Mapping[str, str]
    configured: str

    def of(self, option: str | None, *, help: bool = False) -> str:
        if option in LANGUAGES:
            return option
        if self.environ.get("EVSTATS_LANG") in LANGUAGES:
            return self.environ["EVSTATS_LANG"]
        return (locale_language(self.environ) if help else None) or self.configured
