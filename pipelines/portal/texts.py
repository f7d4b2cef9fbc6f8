"""The portal's words, in Finnish, Swedish and English, from `schemas/portal.yaml`
and, for the words it shares with the command line, `schemas/ui.yaml`.

Django picks the language (LocaleMiddleware: the reader's choice, else Finnish)
and brings its own translations of its forms and validators; the portal's texts
are data beside the contracts, with plural forms chosen by CLDR's rules, like
every other text the project shows."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel.dates import format_date, format_datetime
from django.http import HttpRequest
from django.utils import translation

from pipelines.contract.i18n import LANGUAGES, Text, load_texts
from pipelines.contract.schema import SCHEMA_DIR, load_schema, read_yaml
from pipelines.settings import TIME_ZONE

# Dates as readers in Finland write them: Swedish and English as used in Finland.
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
# Every time the portal shows is a moment in Finland, whatever the server's clock says.


@cache
def texts() -> dict[str, Text]:
    portal = load_texts(read_yaml(SCHEMA_DIR / "portal.yaml"))
    shared = load_schema().ui
    twice = sorted(set(portal) & set(shared))
    if twice:
        raise ValueError(f"portal.yaml repeats texts of ui.yaml: {twice}")
    return {**shared, **portal}


def current_language() -> str:
    lang = translation.get_language() or "fi"
    return lang if lang in LANGUAGES else "fi"


def t(key: str, lang: str | None = None, **params: object) -> str:
    lang = lang or current_language()
    shown = {k: shown_value(v, lang) for k, v in params.items()}
    return texts()[key].format(lang, **shown)


def shown_value(value: object, lang: str) -> object:
    """A parameter as the reader reads it: a moment with its time, a day without."""
    if isinstance(value, datetime):
        return moment(value, lang)
    if isinstance(value, date):
        return day(value, lang)
    return value


def day(d: date, lang: str) -> str:
    return format_date(d, "long", locale=LOCALES[lang])


def moment(at: datetime, lang: str, *, seconds: bool = False) -> str:
    """A moment in Finland's time as its reader writes it: `4.12.2026 klo 23.30`,
    `4.12.2026 kl. 23.30`, `4 Dec 2026 23:30` (British English). The patterns are
    CLDR's, kept with the portal's words (`datetime_pattern` in portal.yaml); the
    receipt shows seconds too. Raises on a naive time: its zone would be a guess."""
    if at.tzinfo is None:
        raise ValueError(f"a time without a zone cannot be shown in Finland's: {at}")
    pattern = texts()["datetime_pattern_seconds" if seconds else "datetime_pattern"]
    return format_datetime(at, pattern.forms[lang], tzinfo=TIME_ZONE, locale=LOCALES[lang])


class Words:
    """Texts without parameters for templates: `{{ T.sign_in }}`. Django shows an
    unknown key as nothing, so a test checks every key the templates name."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return t(key, self.lang)


def context(request: HttpRequest) -> dict[str, object]:
    lang = current_language()
    return {"T": Words(lang), "lang": lang, "languages": LANGUAGES}
