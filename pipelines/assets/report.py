"""Publish: the yearly report in Finnish, Swedish and English."""

from datetime import date
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import __version__
from pipelines.assets import YEARS, partition_year
from pipelines.assets.resources import EvstatsConfig, register_db, warehouse_connection
from pipelines.publish.release import Release, revisions, tables_of
from pipelines.publish.report_data import gather
from pipelines.publish.report_workers import write_reports
from pipelines.publish.tables import Disclosure


class ReportConfig(dg.Config):
    """Which languages to build; empty means the settings' `report_languages`
    (`evstats report --lang sv` builds one). `release` is the number of the release the
    run is made for (`evstats release`), with its ISO date and note; 0 for a plain run."""

    languages: list[str] = []  # noqa: RUF012 - pydantic copies defaults
    release: int = 0
    release_date: str = ""
    release_note: str = ""


def release_of(config: ReportConfig, releases: Path, tables: Path) -> Release | None:
    """The release the report is for, its revised cells counted against the previous
    release's tables as published, the same count `evstats release` writes out."""
    if not config.release:
        return None
    previous = tables_of(releases, config.release - 1)
    revised = len(revisions(previous, tables, config.release_note)) if config.release > 1 else 0
    return Release(
        config.release, date.fromisoformat(config.release_date), config.release_note, revised
    )


@dg.asset(
    group_name="publish",
    partitions_def=YEARS,
    deps=["published_tables"],
    kinds={"html", "pdf", "matplotlib"},
)
def yearly_report(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    evstats: EvstatsConfig,
    duckdb: DuckDBResource,
) -> dg.MaterializeResult:
    """`report.html`, `report.pdf`, `tables.xlsx` and `charts/` under `reports/<year>/`
    (Swedish and English as `report.sv.html`, `report.en.pdf`, …)."""
    year = partition_year(context)
    settings = evstats.settings
    rules = Disclosure(settings.suppression_threshold, settings.unreliable_below)
    release = release_of(config, settings.releases_dir(year), settings.tables_dir(year))
    db = register_db(evstats)  # Django set up: the register's models can be imported
    from pipelines.register.review import explanations_in_force

    explanations = explanations_in_force(year, db)
    with warehouse_connection(duckdb, evstats) as con:
        data = gather(
            con,
            year,
            rules,
            evstats.schema,
            __version__,
            release,
            explanations,
        )
    outputs = {}
    languages = config.languages or list(settings.report_languages)
    written = write_reports(data, evstats.schema, languages, settings.root / "reports" / str(year))
    for lang, files in written.items():
        context.log.info(f"{lang}: {files['html']}")
        outputs.update(
            {f"{kind}_{lang}": dg.MetadataValue.path(str(p)) for kind, p in files.items()}
        )
    return dg.MaterializeResult(
        metadata={
            "incidents": data.national["incidents"],
            "languages": ", ".join(languages),
            **outputs,
        }
    )
