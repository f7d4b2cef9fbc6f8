"""The suite evaluated in Polars: a contact's quick verdict without importing GX.

Importing Great Expectations takes longer on a small machine than the whole
verdict should (seconds before the first row is read), so `evstats validate`
evaluates the same generated expectations here, with GX Core's meaning of each
class: nulls pass every rule but `ExpectColumnValuesToNotBeNull`, bounds are
inclusive, regular expressions search. The tests run every file of the corpus
through both evaluators and require the same failures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from pipelines.contract.schema import Contract, Schema
from pipelines.ingest.reader import ROW
from pipelines.validate.suite import (
    FILE,
    Evidence,
    Expectation,
    Failure,
    build_expectations,
    evidence,
    failures,
    suite_frame,
    with_lengths,
)


def _bounds(value: pl.Expr, e: Expectation) -> pl.Expr:
    outside = pl.lit(False)
    if e.kwargs.get("min_value") is not None:
        outside = outside | (value < e.kwargs["min_value"])
    if e.kwargs.get("max_value") is not None:
        outside = outside | (value > e.kwargs["max_value"])
    return outside


def _pair_equal(e: Expectation) -> pl.Expr:
    if e.kwargs.get("ignore_row_if") != "either_value_is_missing":
        raise ValueError(f"unsupported ignore_row_if: {e.kwargs.get('ignore_row_if')}")
    a, b = pl.col(str(e.kwargs["column_A"])), pl.col(str(e.kwargs["column_B"]))
    return a.is_not_null() & b.is_not_null() & (a != b)


def _unexpected(e: Expectation) -> pl.Expr:
    """True for a row GX would list as unexpected."""
    if e.type == "ExpectColumnPairValuesToBeEqual":
        return _pair_equal(e)
    col = pl.col(str(e.kwargs["column"]))
    if e.type == "ExpectColumnValuesToNotBeNull":
        return col.is_null()
    rules: dict[str, Callable[[], pl.Expr]] = {
        "ExpectColumnValuesToBeInSet": lambda: ~col.is_in(list(e.kwargs["value_set"])),
        "ExpectColumnValuesToMatchRegex": lambda: ~col.str.contains(str(e.kwargs["regex"])),
        "ExpectColumnValuesToBeBetween": lambda: _bounds(col, e),
        "ExpectColumnValueLengthsToBeBetween": lambda: _bounds(col.str.len_chars(), e),
    }
    if e.type not in rules:
        raise ValueError(f"no Polars evaluation for {e.type}")
    return col.is_not_null() & rules[e.type]()


def run_suite(
    frame: pl.DataFrame,
    contract: Contract,
    schema: Schema,
    *,
    year: int | None,
    today: date,
    files: list[str] | None = None,
) -> tuple[list[Failure], Evidence | None]:
    """Validate a batch of files (column `_file`) and list every failing cell, in the
    same order as `gx_suite.run_suite`; given the files' names, also the evidence GX's
    audit is shown (`suite.evidence`), which only a run needs: it doubled the time of a
    1,000-row file's verdict (26 to 46 ms)."""
    if frame.height == 0:
        return [], None
    expectations = build_expectations(contract, schema, year=year, today=today)
    wide = suite_frame(frame, contract)
    flags = wide.select(_unexpected(e).alias(f"e{i}") for i, e in enumerate(expectations))
    failing = [flags.get_column(f"e{i}") for i in range(len(expectations))]
    found = []
    for e, rows in zip(expectations, failing, strict=True):
        found += failures(e, wide.select(FILE, ROW, str(e.meta["column"])).filter(rows))
    if files is None:
        return found, None
    return found, evidence(
        contract.kind, files, with_lengths(wide, expectations), expectations, failing
    )
