import os
from datetime import date
from pathlib import Path

import pytest

from pipelines.contract.schema import Schema, load_schema

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 11, 23)
INCIDENT_HEADER = (
    "incident_id,region_code,incident_date,incident_time,urgency,incident_type,perpetrator,"
    "intoxicants,location,advance_warning,police_contacted,reported_to_employer,staff_injury,"
    "sick_leave_days,staff_count,description"
)
GOOD_ROW = "X1,05,2023-03-01,07:05,A,verbal,patient,alcohol,ambulance,no,no,yes,none,,2,"


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()
