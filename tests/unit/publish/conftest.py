"""The fixture year's published tables, written by hand as `tables.yearly_tables` gives
them (figures counted in `tests/fixtures/README.md`): 22 areas of which four report,
two hidden by disclosure control, one with no incidents (an unreliable rate of 0 and
no missions per incident), two that sent no incidents file, and breakdowns with
hidden categories."""

from pathlib import Path

import pytest

from pipelines.contract.schema import Schema
from pipelines.publish.tables import (
    BREAKDOWN_COLUMNS,
    NATIONAL_COLUMNS,
    REGION_COLUMNS,
    Row,
    write_tables,
)

YEAR = 2023
REPORTING = {  # code: incidents, missions, rate, missions per incident, flag
    "01": (None, 6000, None, None, "suppressed"),
    "05": (20, 24000, 0.8333, 1200.0, ""),
    "06": (None, 8400, None, None, "incidents_missing"),
    "07": (0, 12000, 0.0, None, "unreliable"),
    "20": (None, 1200, None, None, "incidents_missing"),
    "90": (None, 33000, None, None, "suppressed"),
}
BREAKDOWNS = {  # dimension: {category: incidents}; None is hidden
    "incident_type": {
        "verbal": 10,
        "threat_with_weapon": None,
        "physical_mild": 10,
        "physical_serious": None,
        "sexual_harassment": 0,
        "other": 0,
    },
    "month": {str(m): {1: None, 3: 20, 12: None}.get(m, 0) for m in range(1, 13)},
    "hour": {"0": None, "8": 10, "12": None, "23": None, "unknown": 10},
}


def national(incidents: int | None = 26) -> Row:
    hidden = incidents is None
    return {
        "year": YEAR,
        "incidents": incidents,
        "missions": 75000,
        "incidents_per_1000_missions": None if hidden else 1000 * incidents / 75000,
        "missions_per_incident": None if hidden else 75000 / incidents,
        "regions_reporting": 4,
    }


def region_rows(schema: Schema) -> list[Row]:
    rows = []
    for code in schema.codelists["regions"].codes:
        incidents, missions, rate, per, flag = REPORTING.get(
            code, (None, None, None, None, "not_submitted")
        )
        rows.append(
            {
                "year": YEAR,
                "region_code": code,
                "region_name": schema.codelists["regions"].label(code, "fi"),
                "incidents": incidents,
                "missions": missions,
                "incidents_per_1000_missions": rate,
                "missions_per_incident": per,
                "flag": flag,
            }
        )
    return rows


def breakdown_rows() -> list[Row]:
    return [
        {
            "year": YEAR,
            "dimension": dimension,
            "category": category,
            "incidents": n,
            "percent": None if n is None else round(100 * n / 26, 1),
            "flag": "suppressed" if n is None else "",
        }
        for dimension, categories in BREAKDOWNS.items()
        for category, n in categories.items()
    ]


Tables = dict[str, tuple[list[str], list[Row]]]


@pytest.fixture
def tables(schema: Schema) -> Tables:
    return {
        "national": (NATIONAL_COLUMNS, [national()]),
        "regions": (REGION_COLUMNS, region_rows(schema)),
        "breakdowns": (BREAKDOWN_COLUMNS, breakdown_rows()),
    }


@pytest.fixture
def csv_paths(tables: Tables, tmp_path: Path) -> dict[str, Path]:
    return write_tables(tables, tmp_path / "tables")
