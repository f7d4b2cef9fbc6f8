"""Validation of submitted files: the verdict a region's data contact gets.

Column rules are one suite generated from the schema (`suite`), evaluated in
Polars (`polars_suite`) for verdicts and by Great Expectations (`gx_suite`)
to audit them; rules GX cannot express (duplicates with a pointer to the
first row, cross-field and whole-file rules) run here in Polars. Both report
through the same `Issue`, one per cell: the first rule that fails a cell wins,
so a value that is not a code is not also called a region mismatch.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Literal, TypeVar

import polars as pl

from pipelines.contract.issues import (
    Issue,
    in_each_language,
    make_issue,
    personal_data_issue,
    sort_issues,
)
from pipelines.contract.privacy import CANDIDATE_RE, find_personal_data, mask_personal_data
from pipelines.contract.schema import Column, Contract, Schema
from pipelines.ingest.reader import ROW, RawTable, read_table
from pipelines.settings import DEFAULT_LIMITS, DEFAULT_PLAUSIBILITY, Limits, Plausibility
from pipelines.validate import polars_suite, suite
from pipelines.validate.parsing import normalise, text_frame, typed_frame
from pipelines.validate.plausibility import History, plausibility_issues
from pipelines.validate.suite import Evidence

Evaluator = Literal["gx", "polars"]
# Files judged a batch at a time (at receipt, the run's re-judging) take at most this many
# bytes together, a file over it alone: one batch's bytes, text, cells and frames are held
# at once, not a year's (7.7 GB at ten million rows). A batch's transient copies are most
# of the peak of a million-row run (93 MB of files): its process tree peaked at 1,486 MB
# with 128 MB batches, 1,213 MB with 64 MB and 1,202 MB with 32 MB, for a marginal CPU of
# 6.6, 7.9 and 8.5 s (each batch is a suite run with its evidence). Bytes, not files,
# bound it: a year of small files is one batch.
BATCH_BYTES = 64 * 2**20
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class SubmissionFile:
    """A file and what it claims to be: from the inbox folder or the CLI's options."""

    name: str
    data: bytes
    region_code: str | None = None
    year: int | None = None


@dataclass
class Verdict:
    file: str
    kind: str | None
    region_code: str | None
    year: int | None
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0
    frame: pl.DataFrame | None = None
    encoding: str | None = None
    delimiter: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    # Issues past the limit of a file's (`Limits.max_issues`), counted by severity, not kept.
    omitted: dict[str, int] = field(default_factory=dict)
    # What the suite run over the file's batch decided, for GX's audit (shared by the batch).
    evidence: Evidence | None = None

    @property
    def accepted(self) -> bool:
        return not any(i.severity in ("fatal", "error") for i in self.issues)

    def count(self, severity: str) -> int:
        """How many issues of `severity` the file has, kept or not."""
        return sum(1 for i in self.issues if i.severity == severity) + self.omitted.get(severity, 0)

    @property
    def issue_count(self) -> int:
        return len(self.issues) + sum(self.omitted.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "kind": self.kind,
            "region_code": self.region_code,
            "year": self.year,
            "accepted": self.accepted,
            "issues": [i.as_dict() for i in self.issues],
        }


def validate_files(
    files: list[SubmissionFile],
    schema: Schema,
    *,
    lang: str,
    today: date,
    limits: Limits = DEFAULT_LIMITS,
    evaluator: Evaluator = "gx",
    history: History | None = None,
    plausibility: Plausibility = DEFAULT_PLAUSIBILITY,
    keep_evidence: bool = False,
) -> list[Verdict]:
    """Validate many files with one suite run per kind and year, which is what keeps it
    fast. `polars` decides verdicts in the pipeline and at the command line; `gx`
    gives the same verdict at GX's import cost, for its audit (`gx_audit`).

    With `history` (the regions' earlier years in force), an accepted file of a known
    region and year is also checked against them, with `plausibility`'s thresholds;
    without it there are no plausibility warnings, as before they existed. With
    `keep_evidence` (a run's verdicts, which GX audits), each verdict keeps its batch's
    `suite.Evidence`."""
    verdicts: list[Verdict] = []
    batches: dict[tuple[str, int | None], list[tuple[Verdict, pl.DataFrame]]] = {}
    tables = _each(lambda f: read_table(f.data, schema, lang, limits), files)
    for f, table in zip(files, tables, strict=True):
        # The names and headers are the region's words: shown, stored and logged masked.
        verdict = Verdict(
            mask_personal_data(f.name),
            table.kind,
            f.region_code,
            f.year,
            list(table.issues),
            table.cells.height,
            encoding=table.encoding,
            delimiter=table.delimiter,
            headers={
                mask_personal_data(name): mask_personal_data(header)
                for name, header in table.written.items()
            },
            sheet=mask_personal_data(table.sheet) if table.sheet is not None else None,
        )
        verdicts.append(verdict)
        if f.region_code is not None and f.region_code not in schema.codelists["regions"].codes:
            verdict.issues.append(
                make_issue(schema, "region_folder_unknown", lang, value=f.region_code)
            )
        if table.fatal or verdict.count("fatal") or table.kind is None:
            continue
        frame = text_frame(table, schema.contracts[table.kind])
        verdict.issues.extend(
            _personal_data(table, verdict, schema.contracts[table.kind], schema, lang)
        )
        batches.setdefault((table.kind, f.year), []).append((verdict, frame))

    for (kind, year), members in batches.items():
        contract = schema.contracts[kind]
        normalised = _each(partial(_normalised, contract=contract, schema=schema), members)
        cell_issues, evidence = _column_rules(
            normalised, members, contract, schema, lang, year, today, evaluator, keep_evidence
        )
        for verdict, _ in members:
            verdict.evidence = evidence
        finish = partial(
            _finish,
            contract=contract,
            schema=schema,
            lang=lang,
            history=history,
            plausibility=plausibility,
        )
        _each(finish, list(zip(normalised, cell_issues, strict=True)))
    for verdict in verdicts:
        _keep_first(verdict, limits.max_issues, set(schema.plausibility))
    return verdicts


def _keep_first(verdict: Verdict, limit: int, plausibility: set[str]) -> None:
    """The file's issues in order, the first `limit` kept and the rest counted: a file
    wrong on every one of a million rows must not be stored, sent and shown a million
    times. Plausibility warnings (a few a file, about the file as a whole) are always
    kept."""
    ordered = sort_issues(verdict.issues)
    checked = [i for i in ordered if i.rule not in plausibility]
    if len(checked) > limit:
        dropped = {id(i) for i in checked[limit:]}
        verdict.omitted = dict(Counter(i.severity for i in checked[limit:]))
        ordered = [i for i in ordered if id(i) not in dropped]
    verdict.issues = ordered


def _normalised(
    member: tuple[Verdict, pl.DataFrame], *, contract: Contract, schema: Schema
) -> tuple[Verdict, pl.DataFrame]:
    verdict, frame = member
    return verdict, normalise(frame, contract, schema)


def _finish(
    item: tuple[tuple[Verdict, pl.DataFrame], list[Issue]],
    *,
    contract: Contract,
    schema: Schema,
    lang: str,
    history: History | None,
    plausibility: Plausibility,
) -> None:
    """The rest of one file's verdict after the suite: the rules of its own rows, its
    typed rows and plausibility. It touches that file's verdict only, so files can
    be finished in parallel."""
    (verdict, frame), found = item
    found.extend(_custom_rules(frame, verdict, contract, schema, lang))
    missing = {i.column for i in verdict.issues if i.rule == "missing_column"}
    found = [i for i in found if i.column not in missing]
    verdict.issues.extend(_first_per_cell(found))
    if verdict.accepted:
        verdict.frame = typed_frame(frame, contract)
        if history is not None and verdict.region_code and verdict.year:
            verdict.issues.extend(
                plausibility_issues(
                    verdict.frame,
                    contract.kind,
                    verdict.region_code,
                    verdict.year,
                    history,
                    plausibility,
                    schema,
                    lang,
                    verdict.headers,
                )
            )


def _each(work: Callable[[T], R], items: list[T]) -> list[R]:
    """`work` on every item, in order, on as many threads as there are cores: reading
    and checking a file is mostly Polars, which lets go of the GIL, and a file's
    passes are too small to keep every core busy on their own."""
    if len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1)) as pool:
        return list(pool.map(work, items))


def _column_rules(
    members: list[tuple[Verdict, pl.DataFrame]],
    raw: list[tuple[Verdict, pl.DataFrame]],
    contract: Contract,
    schema: Schema,
    lang: str,
    year: int | None,
    today: date,
    evaluator: Evaluator,
    keep_evidence: bool,
) -> tuple[list[list[Issue]], Evidence | None]:
    """Run the generated suite once over all files of a batch; issues show the raw value.
    Polars' run also gives the evidence GX's audit is shown, when asked."""

    frames = []
    for index, (verdict, frame) in enumerate(members):
        frames.append(
            frame.with_columns(
                pl.lit(index).alias(suite.FILE),
                pl.lit(verdict.region_code).cast(pl.String).alias("_expected_region_code"),
                pl.lit(verdict.year).cast(pl.Int64).alias("_expected_year"),
            )
        )
    combined = pl.concat(frames) if frames else pl.DataFrame()
    evidence = None
    if evaluator == "gx":
        from pipelines.validate.gx_suite import run_suite  # imports GX: seconds, only when asked

        failures = run_suite(combined, contract, schema, year=year, today=today)
    else:
        names = [v.file for v, _ in members] if keep_evidence else None
        failures, evidence = polars_suite.run_suite(
            combined, contract, schema, year=year, today=today, files=names
        )
    per_file: list[list[Issue]] = [[] for _ in members]
    # What a column allows, in every language, once per column (a file of wrong codes
    # has thousands of failures of one column).
    allowed: dict[tuple[str, str], dict[str, str]] = {}
    bounds = {"code": allowed_values, "out_of_range": allowed_range}
    for failure in failures:
        params = dict(failure.params)
        if failure.rule == "region_mismatch":
            params["expected"] = members[failure.file][0].region_code
        elif failure.rule == "year_mismatch":
            params["expected"] = members[failure.file][0].year
        elif failure.rule == "text_too_long":
            params["found"] = len(failure.value or "")
        elif failure.rule in bounds:
            column, words = contract.column(failure.column), bounds[failure.rule]
            params["expected"] = allowed.setdefault(
                (failure.rule, column.name),
                in_each_language(partial(words, schema, column)),
            )
        raw_frame = raw[failure.file][1]
        position = raw_frame.get_column(ROW).search_sorted(failure.row)
        written = raw_frame.get_column(failure.column)[position]
        value = None if contract.column(failure.column).free_text else written
        per_file[failure.file].append(
            make_issue(
                schema,
                failure.rule,
                lang,
                row=failure.row,
                column=failure.column,
                value=value,
                headers=members[failure.file][0].headers,
                **params,
            )
        )
    return per_file, evidence


def allowed_values(schema: Schema, column: Column, lang: str) -> str:
    """What a contact may write: word codes as their labels in the message's language
    (the reader takes labels), numeric codes such as region codes as they are."""
    codelist = schema.codelists[column.codelist or ""]
    if all(code.isdigit() for code in codelist.codes):
        return ", ".join(codelist.codes)
    return ", ".join(f"{codelist.label(code, lang)} ({code})" for code in codelist.codes)


def allowed_range(schema: Schema, column: Column, lang: str) -> str:
    """The bounds in words: `1–365` reads well, `0–` (no upper bound) does not."""
    if column.min is not None and column.max is not None:
        return schema.text("range_between", lang, min=column.min, max=column.max)
    if column.min is not None:
        return schema.text("range_at_least", lang, min=column.min)
    return schema.text("range_at_most", lang, max=column.max)


def _custom_rules(
    frame: pl.DataFrame, verdict: Verdict, contract: Contract, schema: Schema, lang: str
) -> list[Issue]:
    issues: list[Issue] = []
    if frame.height == 0 and contract.kind == "incidents":
        issues.append(make_issue(schema, "no_rows", lang))
    for key in contract.unique_key:
        present = frame.filter(pl.col(key).is_not_null())
        # One hashing pass tells most files have no duplicate; pointing each one to its
        # first row costs a grouping and a join of every row.
        if present.get_column(key).n_unique() == present.height:
            continue
        first = present.group_by(key, maintain_order=True).agg(pl.col(ROW).min().alias("_first"))
        dupes = present.join(first, on=key).filter(pl.col(ROW) != pl.col("_first"))
        for row, value, first_row in dupes.select(ROW, key, "_first").iter_rows():
            issues.append(
                make_issue(
                    schema,
                    "duplicate_key",
                    lang,
                    row=row,
                    column=key,
                    value=value,
                    first_row=first_row,
                    headers=verdict.headers,
                )
            )
    for c in contract.columns:
        if c.only_when:
            other, expected = c.only_when["column"], c.only_when["equals"]
            bad = frame.filter(
                pl.col(c.name).is_not_null() & (pl.col(other).fill_null("") != expected)
            )
            for row, value in bad.select(ROW, c.name).iter_rows():
                issues.append(
                    make_issue(
                        schema,
                        "only_when",
                        lang,
                        row=row,
                        column=c.name,
                        value=value,
                        other=other,
                        expected=_label(schema, contract.column(other), expected),
                        headers=verdict.headers,
                    )
                )
    if contract.complete_set:
        spec = contract.complete_set
        present = set(
            typed_frame(frame, contract).get_column(spec["column"]).drop_nulls().to_list()
        )
        missing = [m for m in range(spec["min"], spec["max"] + 1) if m not in present]
        if missing:
            issues.append(
                make_issue(
                    schema,
                    "incomplete_months",
                    lang,
                    column=spec["column"],
                    value=", ".join(str(m) for m in missing),
                    found=len(missing),
                    headers=verdict.headers,
                )
            )
    return issues


def _label(schema: Schema, column: Column, code: str) -> str | dict[str, str]:
    """A code as a reader reads it: a coded column's label in every language."""
    if not column.codelist:
        return code
    codelist = schema.codelists[column.codelist]
    return in_each_language(lambda lang: codelist.label(code, lang))


def _personal_data(
    table: RawTable, verdict: Verdict, contract: Contract, schema: Schema, lang: str
) -> list[Issue]:
    """Identity codes, e-mail addresses and phone numbers reject the file wherever a
    contact writes text: in the contract's text columns and in any column it does not
    know, whatever that holds. Each column is read where the file has it, so one
    named twice is read twice; the message names the kind of data and shows the
    value masked."""
    issues = []
    for index, name in enumerate(table.header):
        if name in contract.column_names and contract.column(name).type != "text":
            continue
        field = f"f{index}"
        candidates = table.cells.filter(pl.col(field).str.contains(CANDIDATE_RE))
        for row, value in candidates.select(ROW, field).iter_rows():
            found = find_personal_data(value)
            if found:
                issues.append(
                    personal_data_issue(
                        schema,
                        "personal_data",
                        lang,
                        found,
                        row=row,
                        column=name,
                        headers=verdict.headers,
                    )
                )
    return issues


def _first_per_cell(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[int | None, str | None]] = set()
    kept = []
    for issue in issues:
        key = (issue.row, issue.column)
        if issue.row is not None and key in seen:
            continue
        seen.add(key)
        kept.append(issue)
    return kept
