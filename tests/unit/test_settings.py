"""Settings: one date for every face, and every setting reaching the pipeline's resources."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.settings import Plausibility, Settings, today

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"


def test_today_is_finlands_date_whatever_the_machines_zone():
    # 23:30 UTC on 4 December is 01:30 on 5 December in Helsinki (UTC+2 in winter),
    # and 21:30 UTC on 30 June is 00:30 on 1 July (UTC+3 in summer).
    assert today(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)) == date(2026, 12, 5)
    assert today(datetime(2026, 12, 4, 21, 59, tzinfo=UTC)) == date(2026, 12, 4)
    assert today(datetime(2026, 6, 30, 21, 30, tzinfo=UTC)) == date(2026, 7, 1)


def calls(path: Path) -> set[str]:
    """Dotted names of everything called in a module, such as `date.today`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = getattr(node, "func", None)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found.add(f"{func.value.id}.{func.attr}")
    return found


def test_no_face_asks_the_machine_for_its_own_date():
    """The portal judged dates against Helsinki's date and the pipeline against the
    machine's (UTC in containers): a row dated today sent before 3 a.m. got two
    verdicts. Every face takes `pipelines.settings.today`."""
    offenders = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if calls(p) & {"date.today", "timezone.localdate", "datetime.today"}
    )
    assert offenders == []


def test_every_setting_reaches_the_pipelines_resource():
    """The Dagster resource kept only the fields it declared: thresholds set in
    `[evstats.plausibility]` reached the portal's verdicts but not the pipeline's."""
    from pipelines.assets.resources import build_resources

    settings = Settings(
        data_dir="/srv/evstats",
        suppression_threshold=5,
        unreliable_below=10,
        lang="sv",
        max_file_mb=7,
        max_columns=40,
        uploads_per_minute=12,
        report_languages=("fi", "en"),
        collection_deadline="02-28",
        collection_close="05-31",
        close_overrides={"2025": "2027-01-31"},
        plausibility=Plausibility(incidents_factor=3.0, share_years=5, month_off_percent=40.0),
    )
    assert build_resources(settings)["evstats"].settings == settings
    resource = build_resources(settings)["evstats"]
    assert resource.settings.plausibility.share_years == 5
    assert isinstance(resource.settings.plausibility.share_years, int)


def test_the_resource_declares_every_setting():
    from dataclasses import fields

    from pipelines.assets.resources import EvstatsConfig

    assert set(EvstatsConfig.model_fields) == {f.name for f in fields(Settings)}
