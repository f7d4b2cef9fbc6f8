"""Fixtures of the portal's tests: a data directory of the test's own, people of two
regions and an analyst, and API tokens."""

from dataclasses import replace
from pathlib import Path

import pytest
from django.test import Client

from pipelines.portal.commands import add_user, create_token
from pipelines.portal.models import User
from tests.conftest import FIXTURES

PASSWORD = "kolme-pientä-porsasta-7"
GOOD = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes()
# Region 05's incidents with an unknown incident type on spreadsheet row 3.
BAD = GOOD.replace(b"05-02,05,2023-03-02,08:15,B,verbal", b"05-02,05,2023-03-02,08:15,B,shouting")


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
