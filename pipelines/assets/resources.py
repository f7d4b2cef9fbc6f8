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
    """The resolved `Settings`, as a Dagster resource visible in the UI: every field of
    `Settings`, so that what the file sets reaches the pipeline as it reaches the portal
    (a test compares the two field lists)."""

    data_dir: str
    suppression_threshold: int = 3
    unreliable_below: int = 20
    lang: str = "fi"
    max_file_mb: int = 50
    max_columns: int = 60
    uploads_per_minute: int = 30
    report_languages: list[str] = ["fi", "sv", "en"]  # noqa: RUF012 - pydantic copies defaults
    collection_deadline: str = "03-31"
    collection_close: str = "06-30"
    close_overrides: dict[str, str] = {}  # noqa: RUF012
    plausibility: dict[str, float] = {}  # noqa: RUF012

    @classmethod
    def from_settings(cls, settings: Settings) -> EvstatsConfig:
        values = settings.as_dict()
        return cls(**{**values, "report_languages": list(settings.report_languages)})

    @property
    def settings(self) -> Settings:
        return Settings.from_dict(self.model_dump())

    @property
    def schema(self) -> Schema:
        return load_schema()


@contextmanager
def warehouse_connection(
    db: DuckDBResource, config: EvstatsConfig
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the warehouse tables in place, whichever asset runs first."""
    config.settings.root.mkdir(parents=True, exist_ok=True)
    with db.get_connection() as con:
        ensure_schema(con, config.schema)
        yield con


def build_resources(settings: Settings) -> dict[str, object]:
    """The run's settings, whole, and the warehouse they name."""
    return {
        "evstats": EvstatsConfig.from_settings(settings),
        "duckdb": DuckDBResource(database=str(settings.warehouse)),
    }


def register_db(config: EvstatsConfig) -> str:
    """The register of the run's settings, Django set up on first use (never when the
    definitions are imported): the alias every register call of the run takes."""
    from pipelines.register.db import connect

    return connect(config.settings)
