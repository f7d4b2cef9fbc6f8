"""The report passes axe-core's WCAG 2.1 A and AA rules in a real browser.

Finnish law (Act 306/2019) holds public-sector web content to WCAG 2.1 AA, and
the report is read on phones as much as on desktops: some rules (a table that
scrolls sideways must be reachable by keyboard) only fail at a phone's width.
So every language's page is loaded in Debian's Chromium (`make test` installs
it; Playwright cannot download its own browsers here) at 390 and 1280 px and
checked with the axe-core that `axe-playwright-python` bundles. Two mutation
tests show the check would see a regression: the same page with a table's
keyboard access or a chart's name taken away fails.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, sync_playwright

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.settings import Settings
from tests.conftest import FIXTURES

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
WIDTHS = {"phone": 390, "desktop": 1280}
PAGES = {"fi": "report.html", "sv": "report.sv.html", "en": "report.en.html"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made fixture year: 4 of 22 areas, hidden cells, an area with no incidents."""
    root = tmp_path_factory.mktemp("a11y")
    shutil.copytree(FIXTURES / "inbox", root / "inbox")
    job = build_defs(Settings(data_dir=str(root))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    return root / "reports" / "2023"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's `chromium`")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def violations(browser: Browser, page_file: Path, width: int) -> dict[str, int]:
    """axe's WCAG 2.1 A/AA violations of a page at a width: rule id -> nodes affected."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(page_file.as_uri())
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    finally:
        page.close()
    return {v["id"]: len(v["nodes"]) for v in result.response["violations"]}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("lang", PAGES)
def test_report_has_no_axe_violations(reports: Path, browser: Browser, lang: str, width: int):
    assert violations(browser, reports / PAGES[lang], width) == {}


def mutated(reports: Path, tmp_path: Path, pattern: str, replacement: str) -> Path:
    """The Finnish page with one accessibility feature taken away."""
    html = (reports / PAGES["fi"]).read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replacement, html)
    assert count, f"{pattern!r} not in the page: the mutation tests nothing"
    page_file = tmp_path / "mutated.html"
    page_file.write_text(changed, encoding="utf-8")
    return page_file


def test_a_scrolling_table_without_keyboard_access_is_found(
    reports: Path, browser: Browser, tmp_path: Path
):
    page_file = mutated(reports, tmp_path, r' tabindex="0"', "")
    assert "scrollable-region-focusable" in violations(browser, page_file, WIDTHS["phone"])
