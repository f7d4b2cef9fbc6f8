"""Fixtures of the portal's tests: a data directory of the test's own, people of two
regions and an analyst, API tokens, and the register's records a test starts from."""

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from pipelines.portal.commands import add_user, create_token
from pipelines.portal.models import User
from pipelines.register.models import Submission
from pipelines.register.receipts import receive
from pipelines.register.receipts_data import Judged
from tests.conftest import FIXTURES

PASSWORD = "kolme-pientä-porsasta-7"
GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()
# Region 05's incidents with an unknown incident type on spreadsheet row 3.
BAD = GOOD.replace(b"05-02,05,2023-03-02,08:15,B,verbal", b"05-02,05,2023-03-02,08:15,B,shouting")
# Region 05's incidents corrected: another time on the first row, still a valid file.
FIXED = GOOD.replace(b"05-01,05,2023-03-01,08:15", b"05-01,05,2023-03-01,09:40")
assert FIXED != GOOD


def earlier_year(incidents: int = 20, region: str = "05", year: int = 2022) -> Submission:
    """Region 05's 2022 in force in the register, with `incidents` incidents shared among
    the incident types as in GOOD: what plausibility compares a 2023 file with."""
    _, *rows = GOOD.decode().splitlines()
    types = dict(Counter(row.split(",")[5] for row in rows))
    judged = Judged(
        file_name="2022.csv",
        kind="incidents",
        accepted=True,
        rows=incidents,
        errors=0,
        warnings=0,
        issues=[],
        headers={},
        lang="fi",
        suffix=".csv",
        figures={"incidents": incidents, "codes": {"incident_type": types}},
    )
    data = GOOD.replace(b",2023-", b",2022-")
    return receive(django_settings.EVSTATS, year, region, data, judged, "folder")


def archived(data_dir: Path) -> list[Path]:
    """Every file under the archive, relative to it (temporary files included)."""
    root = data_dir / "archive"
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.EVSTATS = replace(settings.EVSTATS, data_dir=str(tmp_path))
    return tmp_path


@pytest.fixture
def contact(db) -> User:
    return add_user("kontakti@alue05.example", "05", User.SUBMITTER, PASSWORD)


@pytest.fixture
def other_contact(db) -> User:
    return add_user("kontakti@alue06.example", "06", User.SUBMITTER, PASSWORD)


@pytest.fixture
def analyst(db) -> User:
    return add_user("analyytikko@example.org", None, User.ANALYST, PASSWORD)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def token(db) -> str:
    return create_token("05", "incident system")


@pytest.fixture
def other_token(db) -> str:
    return create_token("06", "")
