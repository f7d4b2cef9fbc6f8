"""The one result format of every check, whether GX or a custom rule found it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from pipelines.contract.privacy import mask_personal_data
from pipelines.contract.schema import Schema

SEVERITY_ORDER = {"fatal": 0, "error": 1, "warning": 2}


@dataclass(frozen=True)
class Issue:
    """One problem, located as a spreadsheet user sees it: header is row 1."""

    severity: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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
    """Build an issue with its message; every text that may have come from the file
    (the value, a column the contract does not know, any other parameter) is masked
    before it goes anywhere.

    `headers` maps column names to the headers the file itself used (a Finnish file
    says `kuvaus`), so the message names the column as the contact wrote it, while
    `Issue.column` stays the contract's name for machines."""
    shown = _masked(value)
    named = dict(headers or {})
    if "other" in params:
        params["other"] = named.get(str(params["other"]), params["other"])
    masked = {k: mask_personal_data(v) if isinstance(v, str) else v for k, v in params.items()}
    label = named.get(column or "", column)
    message = schema.message(
        rule,
        lang,
        column=_masked(label),
        value=shown,
        **masked,
    )
    return Issue(schema.rules[rule].severity, row, _masked(column), shown, rule, message)


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
    the message names its kinds in the message's language and shows each piece masked."""
    kinds = dict.fromkeys(kind for kind, _ in found)
    return make_issue(
        schema,
        rule,
        lang,
        row=row,
        column=column,
        value=" … ".join(text for _, text in found),
        detail=", ".join(schema.text(kind, lang) for kind in kinds),
        headers=headers,
    )


def sort_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(
        issues,
        key=lambda i: (SEVERITY_ORDER[i.severity], i.row or 0, i.column or "", i.rule),
    )
