"""The suite evaluated by Great Expectations: the pipeline's audit of its verdicts.

GX is imported here only, so that commands that never run it do not pay its
import cost (seconds). GX has no Polars support, so domains are handed over as
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
    domains,
    failures,
    keys,
    suite_frame,
    with_lengths,
)

# Domains up to this many distinct values are validated together in one small frame.
SMALL_DOMAIN = 50_000


def run_suite(
    frame: pl.DataFrame, contract: Contract, schema: Schema, *, year: int | None, today: date
) -> list[Failure]:
    """Validate a batch of files (column `_file`) and list every failing cell.

    Every expectation in the suite judges a row by its keys only (`suite.domains`),
    so GX is shown each distinct value (or pair) once, not every row, and failing
    values are joined back to every row that holds them. This is exact, not a
    sample."""
    if frame.height == 0:
        return []
    expectations = build_expectations(contract, schema, year=year, today=today)
    wide = with_lengths(suite_frame(frame, contract), expectations)
    found_domains = domains(wide, expectations)
    failed = evaluate(contract.kind, expectations, found_domains)
    found = []
    for index, rows in enumerate(failed):
        if not rows:
            continue
        e, by = expectations[index], keys(expectations[index])
        failing = found_domains[index][list(rows)].select(by)
        found += failures(e, wide.join(failing, on=by, how="semi", nulls_equal=True))
    return found


def evaluate(
    kind: str, expectations: list[Expectation], found_domains: list[pl.DataFrame]
) -> list[tuple[int, ...]]:
    """The rows of each expectation's domain that GX fails, in order."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("submissions")
    unexpected: dict[int, set[int]] = {}
    for group, members in enumerate(_size_groups(found_domains)):
        height = max(found_domains[i].height for i in members)
        columns, members_gx = [], []
        for i in members:
            e = expectations[i]
            renamed = {c: f"e{i}_{c}" for c in e.columns}
            kwargs = {k: renamed.get(v, v) if k in COLUMN_KEYS else v for k, v in e.kwargs.items()}
            members_gx.append(getattr(gxe, e.type)(**kwargs, meta={**e.meta, "index": i}))
            # Repeating a domain's values to the group's height changes no verdict.
            cycle = pl.int_range(height) % found_domains[i].height
            own = found_domains[i].select(e.columns)
            columns.append(own.select(pl.all().gather(cycle)).rename(renamed))
        # Given whole: adding expectations one by one re-serialises the suite each time.
        suite = context.suites.add(
            gx.ExpectationSuite(name=f"{kind}_{group}", expectations=members_gx)
        )
        asset = source.add_dataframe_asset(f"{kind}_{group}")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=f"{kind}_{group}",
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
                height_i = found_domains[index].height
                unexpected[index] = {i % height_i for i in r.result["unexpected_index_list"]}
    return [tuple(sorted(unexpected.get(i, ()))) for i in range(len(expectations))]


def _size_groups(found_domains: list[pl.DataFrame]) -> list[list[int]]:
    """Expectations whose domains are small share one GX run; the few with a value per
    row share another, so that no small domain is stretched to a million rows."""
    small = [i for i, d in enumerate(found_domains) if d.height <= SMALL_DOMAIN]
    large = [i for i, d in enumerate(found_domains) if d.height > SMALL_DOMAIN]
    return [g for g in (small, large) if g]
