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
    """Build an issue with its message; the value is masked before it goes anywhere.

    `headers` maps column names to the headers the file itself used (a Finnish file
    says `kuvaus`), so the message names the column as the contact wrote it, while
    `Issue.column` stays the contract's name for machines."""
    shown = mask_personal_data(value) if value is not None else None
    named = dict(headers or {})
    if "other" in params:
        params["other"] = named.get(str(params["other"]), params["other"])
    message = schema.message(
        rule, lang, column=named.get(column or "", column), value=shown, **params
    )
    return Issue(schema.rules[rule].severity, row, column, shown, rule, message)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(
        issues,
        key=lambda i: (SEVERITY_ORDER[i.severity], i.row or 0, i.column or "", i.rule),
    )
