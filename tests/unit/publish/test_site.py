"""The readers' site's pure parts: addresses, links, cells as the tables show them, and
its words (every one in three languages, every one used, none missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.contract.i18n import LANGUAGES
from pipelines.publish.site import (
    TEMPLATES,
    AreaYear,
    Words,
    chart_description,
    feed_path,
    page_path,
    public_url,
    relative,
    site_texts,
)
from pipelines.publish.texts import report_texts

SITE_PY = Path(__file__).resolve().parents[3] / "pipelines" / "publish" / "site.py"


def test_pages_are_folders_finnish_at_the_root():
    assert page_path("fi") == "index.html"
    assert page_path("sv", "2023", "v2") == "sv/2023/v2/index.html"
    assert page_path("en", "areas", "90") == "en/areas/90/index.html"
    assert feed_path("fi") == "feed.xml" and feed_path("en") == "en/feed.xml"


@pytest.mark.parametrize(
    ("start", "target", "link"),
    [
        ("index.html", "style.css", "style.css"),
        ("sv/areas/05/index.html", "style.css", "../../../style.css"),
        ("sv/areas/05/index.html", "en/areas/05/index.html", "../../../en/areas/05/index.html"),
        ("en/2023/v2/index.html", "2023/v2/outputs/r.pdf", "../../../2023/v2/outputs/r.pdf"),
        ("2023/v2/index.html", "2023/v2/outputs/tables/regions.csv", "outputs/tables/regions.csv"),
        ("2023/index.html", "2023/v1/index.html", "v1/index.html"),
    ],
)
def test_links_are_relative_so_the_site_opens_from_any_folder(start, target, link):
    assert relative(start, target) == link


def test_public_addresses_are_folders_under_the_site_url():
    assert public_url("https://x.example/tilastot", "sv/2023/v1/index.html") == (
        "https://x.example/tilastot/sv/2023/v1/"
    )
    assert public_url("https://x.example/", "index.html") == "https://x.example/"
    assert public_url("https://x.example/", "sitemap.xml") == "https://x.example/sitemap.xml"


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "flag", "shown"),
    [
        ("fi", "", 0, "suppressed", ".."),  # hidden by disclosure control
        ("fi", "", 2, "suppressed", ".."),
        ("fi", "", 0, "incidents_missing", "."),  # not available
        ("sv", "", 0, "", "."),
        ("fi", "75600", 0, "", "75\u00a0600"),
        ("fi", "0.3439", 2, "", "0,34"),
        ("en", "2907.7", 0, "", "2,908"),
        ("en", "0.0000", 2, "unreliable", "0.00"),
    ],
)
def test_a_published_cell_is_written_as_the_tables_show_it(lang, value, decimals, flag, shown):
    assert Words(lang).number(value, decimals, flag=flag) == shown


def test_dates_as_the_report_writes_them():
    from datetime import date

    assert Words("fi").day(date(2024, 4, 2)) == "2.4.2024"
    assert Words("sv").day(date(2024, 4, 2)) == "2.4.2024"
    assert Words("en").day(date(2024, 4, 2)) == "2024-04-02"


def test_every_site_text_is_in_finnish_swedish_and_english():
    assert {key for key, text in site_texts().items() if text.languages != set(LANGUAGES)} == set()


def sources() -> str:
    texts = [p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.j2")]
    return "\n".join([*texts, SITE_PY.read_text(encoding="utf-8")])


def test_every_word_the_site_says_exists_and_every_site_word_is_said():
    said = set(re.findall(r"""\bw\(\s*['"]([a-z0-9_]+)['"]""", sources()))
    assert len(said) > 50
    assert said - set(site_texts()) - set(report_texts()) == set()
    # Some keys are chosen first and said later (`key = "file_px"`, the navigation's
    # tuples, `Words(lang)("language_name")`); a change's key is built from its code.
    quoted = set(re.findall(r"""['"]([a-z0-9_]+)['"]""", sources()))
    patterned = {k for k in site_texts() if k.startswith("change_")}
    assert set(site_texts()) - quoted - patterned == set()


def test_a_charts_description_names_only_published_figures():
    """Region 01 of the fixture years: 2022 published, 2023 hidden (2 incidents), and an
    area that sent nothing in 2023; the description counts them and names no hidden one."""
    series = [
        AreaYear(2022, "v1", "4", "10997", "0.3637", "unreliable"),
        AreaYear(2023, "v2", "", "6000", "", "suppressed"),
        AreaYear(2024, "v1", "", "", "", "not_submitted"),
    ]
    assert chart_description(series, Words("fi"), [2023]) == (
        "Pylväät: ilmoitetut tilanteet vuosittain; viiva: tilanteita 1 000 tehtävää kohden. "
        "Luvut: 2022: 4 tilannetta, 0,36 / 1 000. Ei julkaista (..): 1. Ei tietoja (.): 1. "
        "Tilastomuutos: 2023. Samat luvut ovat kaaviota seuraavassa taulukossa."
    )
    assert chart_description(series[1:2], Words("en"), []) == (
        "Bars: reported incidents by year; line: incidents per 1,000 missions. "
        "No figure is published. Not published (..): 1. "
        "The same figures are in the table after the chart."
    )
