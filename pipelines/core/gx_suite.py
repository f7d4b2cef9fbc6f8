"""The Great Expectations suite of each contract, generated from the schema.

GX is imported here only, so that commands that never validate do not pay its
import cost. GX has no Polars support, so the batch is handed over as pandas
through an ephemeral context; each expectation carries the rule it stands for
in its `meta`, which is how a GX result becomes an `Issue`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from pipelines.core.schema import Contract, Schema
from pipelines.core.validation import INTEGER_RE, ROW, parsed

FILE = "_file"
TIME_RE = r"^(?:[01]\d|2[0-3]):[0-5]\d$"
PARSED = "__parsed"
VALID = "__valid"


@dataclass(frozen=True)
class Failure:
    file: int
    row: int
    column: str
    value: str | None
    rule: str
    params: tuple[tuple[str, object], ...] = ()


def build_expectations(
    contract: Contract, schema: Schema, *, year: int | None, today: date
) -> list[object]:
    """One expectation per column rule, in the order that decides which rule a cell reports."""
    import great_expectations.expectations as gxe

    def meta(rule: str, column: str, **params: object) -> dict[str, object]:
        return {"rule": rule, "column": column, "params": params}

    out: list[object] = []
    for c in contract.columns:
        if c.required:
            out.append(
                gxe.ExpectColumnValuesToNotBeNull(column=c.name, meta=meta("required", c.name))
            )
    for c in contract.columns:
        if c.type == "date":
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=c.name + VALID, value_set=[True], meta=meta("date_format", c.name)
                )
            )
        elif c.type == "time":
            out.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=c.name, regex=TIME_RE, meta=meta("time_format", c.name)
                )
            )
        elif c.type == "integer":
            out.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=c.name, regex=INTEGER_RE, meta=meta("integer_format", c.name)
                )
            )
    for c in contract.columns:
        if c.codelist:
            codes = list(schema.codelists[c.codelist].codes)
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=c.name,
                    value_set=codes,
                    meta=meta("code", c.name, expected=", ".join(codes)),
                )
            )
        if c.min is not None or c.max is not None:
            shown = f"{'' if c.min is None else c.min}–{'' if c.max is None else c.max}"
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.name + PARSED,
                    min_value=c.min,
                    max_value=c.max,
                    meta=meta("out_of_range", c.name, expected=shown),
                )
            )
        if c.within_reporting_year and year is not None:
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.name + PARSED,
                    min_value=datetime(year, 1, 1),
                    max_value=datetime(year, 12, 31),
                    meta=meta("date_out_of_year", c.name, year=year),
                )
            )
        if c.type == "date":
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.name + PARSED,
                    max_value=datetime(today.year, today.month, today.day),
                    meta=meta("date_in_future", c.name),
                )
            )
        if c.matches_submission:
            target = c.name + PARSED if c.type == "integer" else c.name
            out.append(
                gxe.ExpectColumnPairValuesToBeEqual(
                    column_A=target,
                    column_B=f"_expected_{c.matches_submission}",
                    ignore_row_if="either_value_is_missing",
                    meta=meta(f"{c.matches_submission.removesuffix('_code')}_mismatch", c.name),
                )
            )
        if c.max_length is not None:
            out.append(
                gxe.ExpectColumnValueLengthsToBeBetween(
                    column=c.name,
                    max_value=c.max_length,
                    meta=meta("text_too_long", c.name, expected=c.max_length),
                )
            )
    return out


def gx_frame(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Add a parsed twin of each typed column (range rules need numbers and dates) and,
    for dates, whether the written date exists."""
    exprs = []
    for c in contract.columns:
        if c.type == "integer":
            exprs.append(parsed(c.name, c.type).alias(c.name + PARSED))
        elif c.type == "date":
            date_value = parsed(c.name, c.type)
            exprs.append(date_value.cast(pl.Datetime("us")).alias(c.name + PARSED))
            # Whether the date exists (2023-02-30 does not), decided in one vectorised pass:
            # GX's strftime expectation calls strptime row by row, which dominated at scale.
            exprs.append(
                (pl.col(c.name).is_null() | date_value.is_not_null()).alias(c.name + VALID)
            )
    return frame.with_columns(exprs)


def run_suite(
    frame: pl.DataFrame, contract: Contract, schema: Schema, *, year: int | None, today: date
) -> list[Failure]:
    """Validate a batch of files (column `_file`) and list every failing cell."""
    if frame.height == 0:
        return []
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = context.data_sources.add_pandas("submissions").add_dataframe_asset(contract.kind)
    definition = batch.add_batch_definition_whole_dataframe("batch")
    suite = context.suites.add(gx.ExpectationSuite(name=contract.kind))
    for expectation in build_expectations(contract, schema, year=year, today=today):
        suite.add_expectation(expectation)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=contract.kind, data=definition, suite=suite)
    )
    wide = gx_frame(frame, contract)
    result = validation.run(
        batch_parameters={"dataframe": wide.to_pandas()},
        result_format={"result_format": "COMPLETE"},
    )
    files = wide.get_column(FILE).to_list()
    rows = wide.get_column(ROW).to_list()
    failures = []
    for r in result.results:
        if r.success:
            continue
        meta = r.expectation_config.meta
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"GX could not evaluate {meta['rule']} on {meta['column']}: {r.exception_info}"
            )
        values = wide.get_column(meta["column"]).to_list()
        params = tuple(sorted(meta["params"].items()))
        for index in r.result.get("unexpected_index_list", []):
            failures.append(
                Failure(
                    files[index], rows[index], meta["column"], values[index], meta["rule"], params
                )
            )
    return failures
