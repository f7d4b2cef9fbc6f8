"""Plausibility checks: a region's new file against its own earlier years.

Statistics producers ask a region to correct or explain figures that move far
from its own history (the AIHW Online Validator's consistency validations).
These are warnings: the file is accepted either way. The rules are data
(`schemas/plausibility.yaml`), their thresholds settings (`Plausibility`).

The earlier years come in as plain data: the figures of the files in force, which
each receipt carries in the register (`register.receipts.history`), so the portal
and the pipeline judge a file against the same history. A region's history maps
each year in force (as a string, as JSON has it) to its figures: `incidents`
(count) and `codes` (column → code → count) when its incidents file was in force,
`missions` (the year's total) and `monthly_missions` (month as a string → count)
when its missions file was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.contract.issues import Issue, in_each_language, make_issue
from pipelines.contract.schema import CodeList, PlausibilityRule, Schema
from pipelines.ingest.reader import ROW
from pipelines.settings import Plausibility

# Region code → year → figures of that year in force; see the module's docstring.
History = Mapping[str, Mapping[str, Mapping[str, Any]]]
YearFigures = Mapping[str, Any]


def figures_of_file(rows: pl.DataFrame, kind: str, columns: list[str]) -> dict[str, Any]:
    """The file's figures in the shape of a history year, so that both sides of a
    comparison are counted the same way; `columns` are the coded columns of the shares."""
    if kind == "incidents":
        return {
            "incidents": rows.height,
            "codes": {
                c: dict(rows.get_column(c).drop_nulls().value_counts().iter_rows()) for c in columns
            },
        }
    monthly = rows.group_by("month").agg(pl.col("missions").sum()).sort("month")
    return {
        "missions": int(rows.get_column("missions").sum()),
        "monthly_missions": {str(m): int(n) for m, n in monthly.iter_rows()},
    }


def share_columns(schema: Schema) -> list[str]:
    """The coded columns whose shares a rule compares: what the history must count."""
    return sorted({r.figure for r in schema.plausibility.values() if r.check == "share_off"})


def plausibility_issues(
    rows: pl.DataFrame,
    kind: str,
    region_code: str,
    year: int,
    history: History,
    thresholds: Plausibility,
    schema: Schema,
    lang: str,
    headers: Mapping[str, str] | None = None,
) -> list[Issue]:
    """The warnings of an accepted file's typed rows against the region's earlier years
    in `history` (years after `year` are ignored, so a rerun of an old year judges it as
    it was judged then). A region without earlier years gets only the rules within the
    file itself."""
    earlier = {
        int(y): figures
        for y, figures in history.get(region_code, {}).items()
        if int(y) < year and figures
    }
    current = figures_of_file(rows, kind, share_columns(schema))
    issues: list[Issue] = []
    for rule in schema.plausibility.values():
        if rule.kind != kind:
            continue
        params: dict[str, Any] = {
            name: getattr(thresholds, setting) for name, setting in rule.thresholds.items()
        }
        if rule.check == "share_off":
            params["codes"] = list(_codelist(schema, rule).codes)
        found = CHECKS[rule.check](Case(rule, params, current, earlier, year, rows))
        issues.extend(
            make_issue(schema, rule.name, lang, headers=headers, **_named(schema, rule, f))
            for f in found
        )
    return issues


def _named(schema: Schema, rule: PlausibilityRule, found: dict[str, Any]) -> dict[str, Any]:
    """A share's column and code as each language names them."""
    if rule.check != "share_off":
        return found
    codelist = _codelist(schema, rule)
    return {
        **found,
        "dimension": in_each_language(lambda lg: codelist.labels[lg]),
        "code": in_each_language(lambda lg: codelist.label(found["code"], lg)),
    }


@dataclass(frozen=True)
class Case:
    """What a check judges: the rule with its thresholds by parameter name, the file's
    figures and rows, and the region's years before this one."""

    rule: PlausibilityRule
    params: Mapping[str, Any]
    current: YearFigures
    earlier: Mapping[int, YearFigures]
    year: int
    rows: pl.DataFrame


def _codelist(schema: Schema, rule: PlausibilityRule) -> CodeList:
    return schema.codelists[schema.contracts[rule.kind].column(rule.figure).codelist or ""]


def _previous(earlier: Mapping[int, YearFigures], figure: str) -> tuple[int, int] | None:
    """The latest earlier year in force with the figure, and the figure."""
    years = [y for y, f in earlier.items() if figure in f]
    if not years:
        return None
    last = max(years)
    return last, int(earlier[last][figure])


def _change(case: Case) -> list[dict[str, Any]]:
    """More than `factor` times or less than 1/`factor` of the previous year, or more than
    `percent` per cent off it; and at least `min_difference` apart. A zero this year is
    `zero_after`'s, a zero last year has no ratio."""
    previous = _previous(case.earlier, case.rule.figure)
    now = int(case.current[case.rule.figure])
    if previous is None or now == 0 or previous[1] == 0:
        return []
    last_year, before = previous
    difference = abs(now - before)
    if difference < case.params.get("min_difference", 0):
        return []
    factor, percent = case.params.get("factor"), case.params.get("percent")
    far = (factor is not None and (now > before * factor or now * factor < before)) or (
        percent is not None and difference * 100 > percent * before
    )
    if not far:
        return []
    change = f"{round((now - before) * 100 / before):+d}"
    return [
        dict(
            value=str(now),
            found=now,
            expected=before,
            previous_year=last_year,
            change=change,
        )
    ]


def _zero_after(case: Case) -> list[dict[str, Any]]:
    previous = _previous(case.earlier, case.rule.figure)
    if (
        previous is None
        or int(case.current[case.rule.figure]) != 0
        or previous[1] < case.params["at_least"]
    ):
        return []
    return [dict(value="0", found=0, expected=previous[1], previous_year=previous[0])]


def _month_off(case: Case) -> list[dict[str, Any]]:
    """Against the file's own median month, not last year's: it needs no history, and a
    region's level may move from year to year while its months stay alike."""
    monthly = case.current[case.rule.figure]
    if not monthly:
        return []
    median = pl.Series(list(monthly.values())).median()
    if not median:
        return []
    found = []
    for row, month, missions in case.rows.select(ROW, "month", "missions").sort(ROW).iter_rows():
        if abs(missions - median) * 100 > case.params["percent"] * median:
            found.append(
                dict(
                    row=row,
                    column="missions",
                    value=str(missions),
                    found=missions,
                    expected=round(median),
                    month=month,
                )
            )
    return found


def _share_off(case: Case) -> list[dict[str, Any]]:
    """Each code's share of the file's incidents against its share in the region's
    earlier years in force within `years` before this one, pooled (all their incidents
    together, so a small year weighs little). A code absent now or then counts as zero."""
    total = int(case.current["incidents"])
    window = {
        y: f
        for y, f in case.earlier.items()
        # A year whose history lacks the codes (written before this rule existed) is not
        # a year of the average: it cannot say what the shares were.
        if case.year - case.params["years"] <= y < case.year
        and "incidents" in f
        and case.rule.figure in f.get("codes", {})
    }
    before_total = sum(int(f["incidents"]) for f in window.values())
    if total < case.params["min_incidents"] or not before_total:
        return []
    span = f"{min(window)}–{max(window)}" if len(window) > 1 else str(min(window))
    counts = case.current["codes"][case.rule.figure]
    found = []
    for code in case.params["codes"]:
        share = counts.get(code, 0) * 100 / total
        before = sum(int(f["codes"][case.rule.figure].get(code, 0)) for f in window.values())
        average = before * 100 / before_total
        if abs(share - average) > case.params["points"]:
            found.append(
                dict(
                    value=str(round(share)),
                    found=round(share),
                    expected=round(average),
                    code=code,
                    years=span,
                )
            )
    return found


Check = Callable[[Case], list[dict[str, Any]]]
CHECKS: dict[str, Check] = {
    "change": _change,
    "zero_after": _zero_after,
    "month_off": _month_off,
    "share_off": _share_off,
}
