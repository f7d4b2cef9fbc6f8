"""The suite evaluated by Great Expectations: the pipeline's audit of its verdicts.

GX is imported here only, so that commands that never run it do not pay its
import cost (seconds). GX has no Polars support, so batches are handed over as
pandas through an ephemeral context.
"""

from __future__ import annotations

import logging
import os
from datetime import date

import polars as pl

from pipelines.contract.schema import Contract, Schema
from pipelines.validate.suite import (
    COLUMN_KEYS,
    Expectation,
    Failure,
    build_expectations,
    failures,
    suite_frame,
)

# Domains up to this many distinct values are validated together in one small frame.
SMALL_DOMAIN = 50_000
# Expectations that judge a value by its presence and its length alone.
BY_LENGTH = {"ExpectColumnValuesToNotBeNull", "ExpectColumnValueLengthsToBeBetween"}
LENGTH = "__length_"


def run_suite(
    frame: pl.DataFrame, contract: Contract, schema: Schema, *, year: int | None, today: date
) -> list[Failure]:
    """Validate a batch of files (column `_file`) and list every failing cell.

    Every expectation in the suite judges a row by the values of its own columns
    only, so GX is shown each distinct value (or pair) once, not every row: a
    million incidents hold a few hundred dates and a handful of codes. Failing
    values are then joined back to every row that holds them. This is exact, not
    a sample. The incident identifier has a value per row, but its rules read only
    whether it is there and its length (`_keys`)."""
    if frame.height == 0:
        return []
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    expectations = build_expectations(contract, schema, year=year, today=today)
    wide = suite_frame(frame, contract).with_columns(
        pl.col(c).str.len_chars().alias(LENGTH + c)
        for c in {e.columns[0] for e in expectations if e.type in BY_LENGTH}
    )
    domains = _domains(wide, expectations)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("submissions")
    unexpected: dict[int, list[int]] = {}
    for group, members in enumerate(_size_groups(domains)):
        height = max(domains[i].height for i in members)
        columns, members_gx = [], []
        for i in members:
            renamed = {c: f"e{i}_{c}" for c in domains[i].columns}
            e = expectations[i]
            kwargs = {k: renamed.get(v, v) if k in COLUMN_KEYS else v for k, v in e.kwargs.items()}
            members_gx.append(getattr(gxe, e.type)(**kwargs, meta={**e.meta, "index": i}))
            # Repeating a domain's values to the group's height changes no verdict.
            cycle = pl.int_range(height) % domains[i].height
            columns.append(domains[i].select(pl.all().gather(cycle)).rename(renamed))
        # Given whole: adding expectations one by one re-serialises the suite each time.
        suite = context.suites.add(
            gx.ExpectationSuite(name=f"{contract.kind}_{group}", expectations=members_gx)
        )
        asset = source.add_dataframe_asset(f"{contract.kind}_{group}")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=f"{contract.kind}_{group}",
                data=asset.add_batch_definition_whole_dataframe("batch"),
                suite=suite,
            )
        )
        result = validation.run(
            batch_parameters={"dataframe": pl.concat(columns, how="horizontal").to_pandas()},
            result_format={"result_format": "COMPLETE"},
        )
        for r in result.results:
            meta = r.expectation_config.meta
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"GX could not evaluate {meta['rule']} on {meta['column']}: {r.exception_info}"
                )
            if not r.success:
                index = int(meta["index"])
                unexpected[index] = r.result.get("unexpected_index_list", [])
    found = []
    for index in sorted(unexpected):
        e, domain = expectations[index], domains[index]
        failing = domain[sorted({i % domain.height for i in unexpected[index]})]
        keys = _keys(e)
        if keys != e.columns:
            failing = failing.select(pl.col(c).str.len_chars().alias(LENGTH + c) for c in e.columns)
        found += failures(e, wide.join(failing, on=keys, how="semi", nulls_equal=True))
    return found


def _domains(wide: pl.DataFrame, expectations: list[Expectation]) -> list[pl.DataFrame]:
    """What GX is shown of each expectation: one row of each distinct value of its keys."""
    distinct: dict[tuple[str, ...], pl.DataFrame] = {}
    for e in expectations:
        keys = _keys(e)
        if tuple(keys) not in distinct:
            distinct[tuple(keys)] = (
                wide.select(*dict.fromkeys([*e.columns, *keys]))
                .unique(subset=keys, keep="first", maintain_order=True)
                .select(e.columns)
            )
    return [distinct[tuple(_keys(e))] for e in expectations]


def _keys(e: Expectation) -> list[str]:
    """The columns of the suite frame that decide the expectation's verdict of a row: its
    own columns, or for a rule on a value's length (and presence) only, that length.
    An identifier has a value per row but a few lengths: GX is shown one value of each
    length (and a null, if any) and the verdict of that value is its length's."""
    if e.type in BY_LENGTH:
        return [LENGTH + e.columns[0]]
    return e.columns


def _size_groups(domains: list[pl.DataFrame]) -> list[list[int]]:
    """Expectations whose domains are small share one GX run; the few with a value per
    row (identifiers) share another, so that no small domain is stretched to a
    million rows."""
    small = [i for i, d in enumerate(domains) if d.height <= SMALL_DOMAIN]
    large = [i for i, d in enumerate(domains) if d.height > SMALL_DOMAIN]
    return [g for g in (small, large) if g]
