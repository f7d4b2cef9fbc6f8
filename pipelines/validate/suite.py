"""The validation suite of each contract, generated from the schema, as data.

Each expectation names a GX Core expectation class and carries the rule it
stands for in its `meta`, which is how a failing value becomes an `Issue`. Every
verdict is decided by the suite evaluated in Polars (`polars_suite`); a run's
suite runs keep their `Evidence`, the distinct values of each expectation's
columns and those the verdict failed, which Great Expectations evaluates again
to audit them (`gx_suite`, `gx_audit`). Tests hold the two evaluators to the
same failures on every file of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from pipelines.contract.schema import Column, Contract, Schema
from pipelines.ingest.reader import ROW
from pipelines.validate.parsing import INTEGER_RE, ISO_DATE_RE, parsed, per_value

FILE = "_file"
TIME_RE = r"^(?:[01]\d|2[0-3]):[0-5]\d$"
PARSED = "__parsed"
VALID = "__valid"
COLUMN_KEYS = ("column", "column_A", "column_B")
# Expectations that judge a value by its presence and its length alone.
BY_LENGTH = {"ExpectColumnValuesToNotBeNull", "ExpectColumnValueLengthsToBeBetween"}
LENGTH = "__length_"


@dataclass(frozen=True)
class Failure:
    file: int
    row: int
    column: str
    value: str | None
    rule: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Expectation:
    """A GX Core expectation as data: its class name in `great_expectations.expectations`,
    its arguments and the rule it stands for. Kept free of GX so that a quick verdict
    need not import it."""

    type: str
    kwargs: dict[str, object]
    meta: dict[str, object]

    @property
    def columns(self) -> list[str]:
        """The frame columns the expectation reads."""
        return [str(self.kwargs[k]) for k in COLUMN_KEYS if k in self.kwargs]


class _Namespace:
    """Builds `Expectation`s with the same spelling as `gxe.ExpectX(...)`."""

    def __getattr__(self, name: str) -> Callable[..., Expectation]:
        def make(meta: dict[str, object], **kwargs: object) -> Expectation:
            return Expectation(name, kwargs, meta)

        return make


def _meta(rule: str, column: str, **params: object) -> dict[str, object]:
    return {"rule": rule, "column": column, "params": params}


GXE = _Namespace()


def build_expectations(
    contract: Contract, schema: Schema, *, year: int | None, today: date
) -> list[Expectation]:
    """One expectation per column rule, in the order that decides which rule a cell
    reports: presence first, then how a value is written, then what it means."""
    return [
        *_presence(contract),
        *_formats(contract),
        *(e for c in contract.columns for e in _meanings(c, schema, year=year, today=today)),
    ]


def _presence(contract: Contract) -> list[Expectation]:
    return [
        GXE.ExpectColumnValuesToNotBeNull(column=c.name, meta=_meta("required", c.name))
        for c in contract.columns
        if c.required
    ]


def _formats(contract: Contract) -> list[Expectation]:
    """How typed values must be written."""
    out: list[Expectation] = []
    for c in contract.columns:
        if c.type == "date":
            # Two rules, so a contact is told what is wrong: `1.3.2023x` is not written
            # as a date, `31.2.2023` is written as one but no such day exists.
            out.append(
                GXE.ExpectColumnValuesToMatchRegex(
                    column=c.name, regex=ISO_DATE_RE, meta=_meta("date_format", c.name)
                )
            )
            out.append(
                GXE.ExpectColumnValuesToBeInSet(
                    column=c.name + VALID, value_set=[True], meta=_meta("date_nonexistent", c.name)
                )
            )
        elif c.type == "time":
            out.append(
                GXE.ExpectColumnValuesToMatchRegex(
                    column=c.name, regex=TIME_RE, meta=_meta("time_format", c.name)
                )
            )
        elif c.type == "integer":
            out.append(
                GXE.ExpectColumnValuesToMatchRegex(
                    column=c.name, regex=INTEGER_RE, meta=_meta("integer_format", c.name)
                )
            )
    return out


def _meanings(c: Column, schema: Schema, *, year: int | None, today: date) -> list[Expectation]:
    """One column's rules of what a well-written value may be: a code, within its
    bounds and the reporting year, not after today (a date or a month), the
    submission's own region and year."""
    out: list[Expectation] = []
    if c.codelist:
        codes = list(schema.codelists[c.codelist].codes)
        out.append(
            GXE.ExpectColumnValuesToBeInSet(
                column=c.name,
                value_set=codes,
                meta=_meta("code", c.name, expected=", ".join(codes)),
            )
        )
    if c.min is not None or c.max is not None:
        out.append(
            GXE.ExpectColumnValuesToBeBetween(
                column=c.name + PARSED,
                min_value=c.min,
                max_value=c.max,
                meta=_meta("out_of_range", c.name),
            )
        )
    if c.within_reporting_year and year is not None:
        out.append(
            GXE.ExpectColumnValuesToBeBetween(
                column=c.name + PARSED,
                min_value=datetime(year, 1, 1),
                max_value=datetime(year, 12, 31),
                meta=_meta("date_out_of_year", c.name, year=year),
            )
        )
    if c.type == "date":
        out.append(
            GXE.ExpectColumnValuesToBeBetween(
                column=c.name + PARSED,
                max_value=datetime(today.year, today.month, today.day),
                meta=_meta("date_in_future", c.name),
            )
        )
    if c.month_of_year and year is not None and year >= today.year:
        out.append(
            GXE.ExpectColumnValuesToBeBetween(
                column=c.name + PARSED,
                max_value=today.month if year == today.year else 0,
                meta=_meta("month_in_future", c.name, year=year),
            )
        )
    if c.matches_submission:
        target = c.name + PARSED if c.type == "integer" else c.name
        out.append(
            GXE.ExpectColumnPairValuesToBeEqual(
                column_A=target,
                column_B=f"_expected_{c.matches_submission}",
                ignore_row_if="either_value_is_missing",
                meta=_meta(f"{c.matches_submission.removesuffix('_code')}_mismatch", c.name),
            )
        )
    if c.max_length is not None:
        out.append(
            GXE.ExpectColumnValueLengthsToBeBetween(
                column=c.name,
                max_value=c.max_length,
                meta=_meta("text_too_long", c.name, expected=c.max_length),
            )
        )
    return out


def suite_frame(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Add a parsed twin of each typed column (range rules need numbers and dates) and,
    for dates written in a date's form, whether that date exists (null for any other
    value, which passes: the format rule reports it)."""
    exprs = []
    for c in contract.columns:
        if c.type == "integer":
            exprs.append(per_value(frame, c.name, parsed(c.name, c.type)).alias(c.name + PARSED))
        elif c.type == "date":
            date_value = parsed(c.name, c.type)
            exprs.append(
                per_value(frame, c.name, date_value.cast(pl.Datetime("us"))).alias(c.name + PARSED)
            )
            # Whether the date exists (2023-02-30 does not), decided per distinct value:
            # GX's strftime expectation calls strptime row by row, which dominated at scale.
            exists = pl.when(pl.col(c.name).str.contains(ISO_DATE_RE)).then(
                date_value.is_not_null()
            )
            exprs.append(per_value(frame, c.name, exists).alias(c.name + VALID))
    return frame.with_columns(exprs)


def failures(expectation: Expectation, failing_rows: pl.DataFrame) -> list[Failure]:
    """Failures of an expectation from the rows of the suite frame it fails, in file and
    row order: the one place where both evaluators turn rows into `Failure`s."""
    column = str(expectation.meta["column"])
    params = tuple(sorted(expectation.meta["params"].items()))  # type: ignore[attr-defined]
    rows = failing_rows.select(FILE, ROW, column).sort(FILE, ROW)
    return [
        Failure(file, row, column, value, str(expectation.meta["rule"]), params)
        for file, row, value in rows.iter_rows()
    ]


def keys(e: Expectation) -> list[str]:
    """The columns of the suite frame that decide the expectation's verdict of a row: its
    own columns, or for a rule on a value's length (and presence) only, that length.
    An identifier has a value per row but a few lengths: an evaluator shown one value of
    each length (and a null, if any) judges every value of that length."""
    if e.type in BY_LENGTH:
        return [LENGTH + e.columns[0]]
    return e.columns


def with_lengths(wide: pl.DataFrame, expectations: list[Expectation]) -> pl.DataFrame:
    """The suite frame with the lengths the length rules are decided by (`keys`)."""
    return wide.with_columns(
        pl.col(c).str.len_chars().alias(LENGTH + c)
        for c in {e.columns[0] for e in expectations if e.type in BY_LENGTH}
    )


def domains(wide: pl.DataFrame, expectations: list[Expectation]) -> list[pl.DataFrame]:
    """Each expectation's domain: one row of each distinct value of its keys (`wide` with
    lengths), its own columns, its keys and where the value was first found (`FILE`,
    `ROW`).
    Every expectation judges a row by its keys alone, so the domains hold the verdict of
    every row: a million incidents hold a few hundred dates and a handful of codes. A
    rule that reads a length is shown a stand-in of that length, not a region's words
    (an identifier, a free text), which only their own file may show."""
    distinct: dict[tuple[str, ...], pl.DataFrame] = {}
    for e in expectations:
        by = tuple(keys(e))
        if by not in distinct:
            distinct[by] = (
                wide.select(*dict.fromkeys([*e.columns, *by, FILE, ROW]))
                .unique(subset=list(by), keep="first", maintain_order=True)
                .drop(*(c for c in e.columns if c not in by))
            )
    found = []
    for e in expectations:
        domain = distinct[tuple(keys(e))]
        if e.type in BY_LENGTH:
            [column], [length] = e.columns, keys(e)
            stand_in = [None if n is None else "x" * n for n in domain.get_column(length)]
            domain = domain.with_columns(pl.Series(column, stand_in, pl.String))
        found.append(domain.select(*dict.fromkeys([*e.columns, *keys(e), FILE, ROW])))
    return found


@dataclass(frozen=True)
class Evidence:
    """What one suite run over a batch of files decided, as GX's audit is shown it: each
    expectation's domain and the values of it the verdict failed. A failing cell is a
    row whose keys are a failed value, so GX failing the same values of every domain is
    GX finding the same failing cells, in every row of every file; the domains are a few
    thousand values however many rows the files hold."""

    kind: str
    files: tuple[str, ...]  # the batch's file names, by `FILE`
    expectations: tuple[Expectation, ...]
    domains: tuple[pl.DataFrame, ...]
    failed: tuple[tuple[int, ...], ...]  # per expectation, the domain rows failed

    def where(self, index: int, row: int) -> tuple[str, int]:
        """The file and row where a value of an expectation's domain was first found."""
        first = self.domains[index].row(row, named=True)
        return self.files[first[FILE]], first[ROW]


def evidence(
    kind: str,
    files: list[str],
    wide: pl.DataFrame,
    expectations: list[Expectation],
    failing: list[pl.Series],
) -> Evidence:
    """The evidence of a suite run from its frame with lengths and each expectation's
    flags of failing rows (`failing[i]`, a boolean per row of `wide`)."""
    found = domains(wide, expectations)
    failed = []
    for e, domain, flags in zip(expectations, found, failing, strict=True):
        by = keys(e)
        values = wide.select(by).filter(flags).unique()
        own = domain.select(by).with_row_index("_index")
        rows = own.join(values, on=by, how="semi", nulls_equal=True).get_column("_index")
        failed.append(tuple(rows.to_list()))
    return Evidence(kind, tuple(files), tuple(expectations), tuple(found), tuple(failed))
