"""`evstats demo-portal` (`make demo-portal`) leaves a portal a newcomer can try: demo
accounts whose printed passwords sign in, the year open today partly received, and the
earlier years released. One earlier year here, to keep the test to one release run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli.demo_portal import ACCOUNTS, MISSING_REGIONS
from pipelines.settings import DEFAULT_CONFIG, Settings

EVSTATS = Path(sys.executable).parent / "evstats"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "EVSTATS_DATA_DIR": str(data_dir),
        "EVSTATS_CONFIG": str(DEFAULT_CONFIG),
        "EVSTATS_LANG": "en",
        "DAGSTER_HOME": str(tmp_path_factory.mktemp("dagster")),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [str(EVSTATS), "demo-portal", "--years", str(open_year() - 1)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data_dir, done.stdout


def open_year() -> int:
    """The portal's own rule for the year collected today, with the shipped dates."""
    from pipelines.settings import today as finland_today

    today = finland_today()
    _, close = Settings().collection_dates(today.year - 1)
    return today.year - 1 if today <= close else today.year


def test_the_printed_accounts_sign_in_with_their_roles(demo):
    from django.contrib.auth.hashers import check_password

    from pipelines.portal.models import User
    from pipelines.register.db import connect

    data_dir, out = demo
    db = connect(Settings(data_dir=str(data_dir)))
    printed = dict(re.findall(r"^  .*: (\S+@\S+)  (\S+)$", out, re.MULTILINE))
    assert sorted(printed) == sorted(a.email for a in ACCOUNTS)
    for account in ACCOUNTS:
        user = User.objects.using(db).get(email=account.email)
        assert (user.role, user.region_code or None, user.lang) == (
            account.role,
            account.region_code,
            account.lang,
        )
        assert check_password(printed[account.email], user.password)
    assert "make serve" in out and f"Year {open_year()} is open: 5 regions" in out


def test_the_open_year_has_some_regions_in_and_some_missing(demo):
    from pipelines.register.db import connect
    from pipelines.register.models import RegionYear, Submission

    data_dir, _ = demo
    db = connect(Settings(data_dir=str(data_dir)))
    received = Submission.objects.using(db).filter(year=open_year())
    assert received.count() == 2 * (22 - len(MISSING_REGIONS))  # incidents and missions
    assert set(received.values_list("region_code", flat=True)).isdisjoint(MISSING_REGIONS)
    assert all(s.published for s in received)  # the demo ran the year
    assert set(
        RegionYear.objects.using(db).filter(year=open_year()).values_list("state", flat=True)
    ) == {"awaiting_review"}


def test_the_earlier_year_is_released(demo):
    from pipelines.register.db import connect
    from pipelines.register.models import RegionYear, Release

    data_dir, _ = demo
    db = connect(Settings(data_dir=str(data_dir)))
    year = open_year() - 1
    [release] = Release.objects.using(db).filter(year=year)
    assert (release.number, release.state) == (1, "released")
    assert (data_dir / "releases" / str(year) / "v1" / "manifest.json").is_file()
    states = RegionYear.objects.using(db).filter(year=year).values_list("state", flat=True)
    assert list(states) == ["released"] * 22
