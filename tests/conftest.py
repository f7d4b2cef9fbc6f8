import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pipelines.contract.schema import Schema, load_schema
from tests.postgres import PostgresUnavailable, running_server

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# Property tests check behaviour, not speed (speed lives in `make bench`): Hypothesis's
# per-example deadline and its too-slow health check failed them on a loaded machine.
# Derandomized, every run tries the
# same examples, so a failure reproduces and a pass is not luck.
settings.register_profile(
    "evstats", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("evstats")

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


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """`postgresql://user:password@127.0.0.1:PORT/db` of a real server started for the
    session. Missing binaries fail the test: a skip would hide that nothing ran."""
    problem = ""
    try:
        with running_server() as url:
            yield url
    except PostgresUnavailable as exc:
        problem = str(exc)
    if problem:  # failed outside the handler, so the message is shown once
        pytest.fail(problem, pytrace=False)


@pytest.fixture
def postgresql_database(postgresql_url: str) -> str:
    """A database of the test's own on the session's server: tests that count rows must
    not see what an earlier test left in a shared one."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgresql_url, autocommit=True) as con:
        owner = con.execute("SELECT current_user").fetchone()[0]
        con.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    return postgresql_url.rsplit("/", 1)[0] + f"/{name}"
