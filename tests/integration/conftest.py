"""Fixtures the integration tests share."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.settings import Settings
from tests.conftest import FIXTURES


@pytest.fixture(autouse=True, scope="session")
def register_access(django_db_blocker) -> Iterator[None]:
    """The pipeline opens the register of each test's own data directory (a SQLite file
    there), never pytest-django's test database: the guard of the latter is lifted."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture year published in all three languages, once per test session:
    4 of 22 areas, hidden cells, an area with no incidents. Tests only read it (a rebuild
    in place gives the same bytes)."""
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(FIXTURES / "inbox", root / "inbox")
    job = build_defs(Settings(data_dir=str(root))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    return root / "reports" / "2023"


# Debian's Chromium, driven by Playwright (which cannot download its own browsers here).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"phone": 390, "desktop": 1280}  # a phone and a desktop, for axe


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module: Playwright's loop must not outlive the module, or Django's ORM in later
    tests of the session would refuse to run beside it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's `chromium`")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with 2022 v1, 2023 v1 and 2023 v2 released through `evstats
    release` (tests/integration/releases.py), once per session; the release's run also
    built the readers' site in `<root>/site` (the `site` asset). Tests only read it."""
    from tests.integration.releases import make_releases

    root = tmp_path_factory.mktemp("released")
    make_releases(root)
    return root
