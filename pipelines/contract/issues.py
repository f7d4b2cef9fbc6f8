"""The one result format of every check, whether GX or a custom rule found it.

An issue is its rule and its parameters (row, the column as the file wrote it, the
value shown masked, the numbers of the message); its message is rendered from them
in the reader's language whenever it is shown. The register keeps the record
without the message (`Issue.record`), so a Finnish upload's verdict reads in Swedish
on a Swedish page. A parameter whose words depend on the language (allowed codes as
labels, the kinds of personal data) is kept as its text in every language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pipelines.contract.i18n import LANGUAGES
from pipelines.contract.privacy import mask_personal_data
from pipelines.contract.schema import Schema

SEVERITY_ORDER = {"fatal": 0, "error": 1, "warning": 2}
RECORD_FIELDS = ("severity", "row", "column", "value", "rule", "params")


@dataclass(frozen=True)
class Issue:
    """One problem, located as a spreadsheet user sees it: header is row 1. `message`
    is in the language the issue was rendered in; `params` are what renders it in any."""

    severity: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def record(self) -> dict[str, object]:
        """What the register keeps: codes and masked parameters, no words of a language."""
        return {k: v for k, v in self.as_dict().items() if k in RECORD_FIELDS}


def in_each_language(text: Callable[[str], str]) -> dict[str, str]:
    """A parameter whose words depend on the language, as its text in every one."""
    return {lang: text(lang) for lang in LANGUAGES}


def _is_localised(value: object) -> bool:
    return isinstance(value, Mapping) and set(value) == set(LANGUAGES)


def _in(lang: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v[lang] if _is_localised(v) else v for k, v in params.items()}


def _mask(value: object) -> object:
    if isinstance(value, str):
        return mask_personal_data(value)
    if _is_localised(value):
        return {lang: mask_personal_data(str(text)) for lang, text in value.items()}  # type: ignore[union-attr]
    return value


def render(schema: Schema, record: Mapping[str, Any], lang: str) -> Issue:
    """A stored issue with its message in `lang`. A record from before issues were
    kept as parameters that the migration could not read keeps its old text; one whose
    rule or wording has since gone or changed past its parameters says its rule's code
    rather than fail the page."""
    fields = {k: record.get(k) for k in RECORD_FIELDS if k != "params"}
    params = record.get("params")
    if params is None:
        return Issue(**fields, message=str(record.get("message", "")))
    try:
        message = schema.message(record["rule"], lang, value=record["value"], **_in(lang, params))
    except KeyError:
        message = str(record["rule"])
    return Issue(**fields, message=message, params=params)


def make_issue(
    schema: Schema,
    rule: str,
    lang: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    headers: Mapping[str, str] | None = None,
    **params: object,
) -> Issue:
    """Build an issue with its message in `lang` and the parameters that render it in
    any language; every text that may have come from the file (the value, a column
    the contract does not know, any other parameter) is masked before it goes anywhere.

    `headers` maps column names to the headers the file itself used (a Finnish file
    says `kuvaus`), so the message names the column as the contact wrote it, while
    `Issue.column` stays the contract's name for machines."""
    shown = _masked(value)
    named = dict(headers or {})
    if "other" in params:
        params["other"] = named.get(str(params["other"]), params["other"])
    label = named.get(column or "", column)
    kept = {"column": _masked(label), **{k: _mask(v) for k, v in params.items()}}
    message = schema.message(rule, lang, value=shown, **_in(lang, kept))
    return Issue(schema.rules[rule].severity, row, _masked(column), shown, rule, message, kept)


def _masked(text: str | None) -> str | None:
    return mask_personal_data(text) if text is not None else None


def personal_data_issue(
    schema: Schema,
    rule: str,
    lang: str,
    found: list[tuple[str, str]],
    *,
    row: int | None,
    column: str,
    headers: Mapping[str, str] | None = None,
) -> Issue:
    """The issue of the personal data `find_personal_data` found in a cell or a header:
    the message names its kinds in the reader's language and shows each piece masked."""
    kinds = dict.fromkeys(kind for kind, _ in found)
    return make_issue(
        schema,
        rule,
        lang,
        row=row,
        column=column,
        value=" … ".join(text for _, text in found),
        detail=in_each_language(lambda lg: ", ".join(schema.text(kind, lg) for kind in kinds)),
        headers=headers,
    )


def sort_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(
        issues,
        key=lambda i: (SEVERITY_ORDER[i.severity], i.row or 0, i.column or "", i.rule),
    )
