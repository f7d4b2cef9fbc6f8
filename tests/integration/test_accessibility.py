"""The report passes axe-core's WCAG 2.1 A and AA rules in a real browser.

Finnish law (Act 306/2019) holds public-sector web content to WCAG 2.1 AA, and
the report is read on phones as much as on desktops: some rules (a table that
scrolls sideways must be reachable by keyboard) only fail at a phone's width.
So every language's page is loaded in Debian's Chromium (`make test` installs
it; Playwright cannot download its own browsers here) at 390 and 1280 px and
checked with the axe-core that `axe-playwright-python` bundles. Two mutation
tests show the check would see a regression: the same page with a table's
keyboard access or a chart's name taken away fails. What axe cannot judge is
checked here too: chart text size on a phone, unique ids, each chart's name and
description in the page's language and its table right after it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.integration.conftest import WCAG_21_AA, WIDTHS

PAGES = {"fi": "report.html", "sv": "report.sv.html", "en": "report.en.html"}


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


def test_a_chart_without_a_name_is_found(reports: Path, browser: Browser, tmp_path: Path):
    page_file = mutated(
        reports,
        tmp_path,
        r' aria-labelledby="regions-title"|<title id="regions-title">.*?</title>',
        "",
    )
    assert "svg-img-alt" in violations(browser, page_file, WIDTHS["desktop"])


@pytest.mark.parametrize("lang", PAGES)
def test_chart_text_is_at_least_9px_on_a_phone(reports: Path, browser: Browser, lang: str):
    """Each chart's smallest text as Chromium lays it out at 390 px: once 4 px."""
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 900})
    try:
        page.goto((reports / PAGES[lang]).as_uri())
        smallest = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll("figure.chart svg")].map(
                svg => {
                    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                    const sizes = [...svg.querySelectorAll("text")].map(
                        t => parseFloat(getComputedStyle(t).fontSize) * scale);
                    return [svg.getAttribute("aria-labelledby"), Math.min(...sizes)];
                }))"""
        )
    finally:
        page.close()
    assert len(smallest) == 5
    assert {name: px for name, px in smallest.items() if px < 9} == {}


TITLES = {
    "fi": "Tilanteet viikonpäivän ja kellonajan mukaan, 2023",
    "sv": "Situationer efter veckodag och klockslag, 2023",
    "en": "Incidents by weekday and time of day, 2023",
}


@pytest.mark.parametrize("lang", PAGES)
def test_each_chart_is_a_named_image_followed_by_its_table(reports: Path, lang: str):
    html = (reports / PAGES[lang]).read_text(encoding="utf-8")
    charts = re.findall(
        r'<figure class="chart"><svg [^>]*role="img" aria-labelledby="(\w+)-title" '
        r'aria-describedby="\1-desc">\s*<title id="\1-title">([^<]+)</title>'
        r'\s*<desc id="\1-desc">([^<]+)</desc>.*?</figure>\s*<div class="table-wrap"[^>]*>'
        r"\s*<table>\s*<caption[^>]*>([^<]+)</caption>",
        html,
        flags=re.DOTALL,
    )
    assert [name for name, *_ in charts] == ["regions", "what", "month", "heatmap", "trend"]
    heatmap = charts[3]
    assert heatmap[1] == heatmap[3] == TITLES[lang]  # the table beside it has its name
    assert all(len(description) > 60 for _, _, description, _ in charts)


@pytest.mark.parametrize("lang", PAGES)
def test_ids_are_unique_in_each_page(reports: Path, lang: str):
    """WCAG 2.1's 4.1.1; and `aria-labelledby` must find the one element it names."""
    ids = re.findall(r'\sid="([^"]+)"', (reports / PAGES[lang]).read_text(encoding="utf-8"))
    assert len(ids) > 50
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
