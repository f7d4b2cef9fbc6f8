"""Resources: the run settings and the DuckDB warehouse, configured in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.contract.schema import Schema, load_schema
from pipelines.settings import Settings
from pipelines.warehouse.store import ensure_schema


class EvstatsConfig(dg.ConfigurableResource):
    """The resolved `Settings`, as a Dagster resource visible in the UI."""

    data_dir: str
    suppression_threshold: int = 3
    unreliable_below: int = 20
    lang: str = "fi"
    max_file_mb: int = 50
    max_columns: int = 60
    report_languages: list[str] = ["fi", "sv", "en"]  # noqa: RUF012 - pydantic copies defaults

    @property
    def settings(self) -> Settings:
        values = self.model_dump()
        return Settings(**{**values, "report_languages": tuple(values["report_languages"])})

    @property
    def schema(self) -> Schema:
        return load_schema()


@contextmanager
def warehouse(db: DuckDBResource, config: EvstatsConfig) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the warehouse tables in place, whichever asset runs first."""
    config.settings.root.mkdir(parents=True, exist_ok=True)
    with db.get_connection() as con:
        ensure_schema(con, config.schema)
        yield con


def build_resources(settings: Settings) -> dict[str, object]:
    """The run's settings; the portal's own (collection dates) are not the pipeline's."""
    values = {k: v for k, v in settings.as_dict().items() if k in EvstatsConfig.model_fields}
    return {
        "evstats": EvstatsConfig(**{**values, "report_languages": list(settings.report_languages)}),
        "duckdb": DuckDBResource(database=str(settings.warehouse)),
    }
