"""User-facing texts in Finnish, Swedish and English, with plural forms as data.

Every text in `schemas/` and `reports/texts.yaml` is a mapping of language to
text. A text that holds a count names that parameter under `count` and gives,
in each language, one form per plural category of that language as CLDR
defines them (`one` and `other` in Finnish, Swedish and English). Which
category a number falls in is Babel's answer from CLDR's rules, never an
`n == 1` in code, so the forms stay right when a language with other rules is
added. A text with two counts nests them in the order listed:

    summary:
      count: [incidents, regions]
      en: {one: {one: "…", other: "…"}, other: {one: "…", other: "…"}}

The forms are checked when the files are loaded, so a missing form fails the
first test, not a contact's verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal
from babel.plural import PluralRule

LANGUAGES = ("fi", "sv", "en")


@cache
def _plural_rule(lang: str) -> PluralRule:
    return Locale.parse(lang).plural_form


def plural_categories(lang: str) -> frozenset[str]:
    """The categories a text in `lang` needs a form for: CLDR's, `other` always."""
    return frozenset(_plural_rule(lang).tags) | {"other"}


def plural_category(lang: str, number: object) -> str:
    """CLDR's plural category of a number in `lang`. A number already written out
    for a reader (`1 753`, `1,753`) is read back in the language's format, because
    the report passes its numbers formatted; a symbol such as `..` (not published)
    takes the general form, `other`."""
    if isinstance(number, str):
        try:
            number = parse_decimal(number, locale=lang)
        except NumberFormatError:
            return "other"
    if not isinstance(number, int | float | Decimal):
        raise TypeError(f"not a count: {number!r}")
    return _plural_rule(lang)(number)


@dataclass(frozen=True)
class Text:
    """One text in every language; `counts` name the parameters whose numbers choose
    the plural form, outermost first."""

    key: str
    forms: Mapping[str, Any]
    counts: tuple[str, ...] = ()

    @property
    def languages(self) -> set[str]:
        return set(self.forms)

    def format(self, lang: str, **params: object) -> str:
        form = self.forms[lang]
        for name in self.counts:
            form = form[plural_category(lang, params[name])]
        return str(form).format(**params)


def load_text(key: str, spec: Mapping[str, Any]) -> Text:
    """A text from its YAML mapping (`fi`, `sv`, `en`, optional `count`), checked."""
    count = spec.get("count", ())
    counts = (count,) if isinstance(count, str) else tuple(count)
    missing = [lang for lang in LANGUAGES if lang not in spec]
    if missing:
        raise ValueError(f"text {key}: no {', '.join(missing)} text")
    forms = {lang: spec[lang] for lang in LANGUAGES}
    for lang, form in forms.items():
        _check_forms(f"{key}.{lang}", lang, form, len(counts))
    return Text(key, forms, counts)


def load_texts(specs: Mapping[str, Mapping[str, Any]]) -> dict[str, Text]:
    return {key: load_text(key, spec) for key, spec in specs.items()}


def _check_forms(where: str, lang: str, form: object, depth: int) -> None:
    if depth == 0:
        if not isinstance(form, str):
            raise ValueError(f"text {where}: expected a text, found {form!r}")
        return
    needed = plural_categories(lang)
    if not isinstance(form, Mapping) or set(form) != needed:
        raise ValueError(
            f"text {where}: a count needs exactly the plural forms {sorted(needed)}, found {form!r}"
        )
    for category, inner in form.items():
        _check_forms(f"{where}.{category}", lang, inner, depth - 1)
