"""The readers' site, built from released folders only, read by real clients.

The releases are 2022 v1 (the demo's year), 2023 v1 and v2 (the hand-counted fixture
year; v2 corrects region 05's January missions from 2,000 to 2,600): see
tests/integration/releases.py. The figures below are counted by hand from
tests/fixtures/README.md and test_release.py: 26 incidents; missions 75,000 → 75,600;
the rate 26 000 / 75 000 = 0.3467 → 0.3439 per 1,000 (0,35 → 0,34 with two decimals);
missions per incident 2,884.6 → 2,907.7 (2 885 → 2 908); region 05 24,000 → 24,600
missions, 20 000 / 24 600 = 0.813 (0,81); region 01's 2 incidents and region 90's 4
(secondary suppression) hidden, `..`.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from pipelines.cli import main
from pipelines.publish.site import build_site, is_current
from tests.integration.conftest import WCAG_21_AA, WIDTHS
from tests.integration.releases import CORRECTION

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHECK_LINKS = [str(ROOT / ".venv/bin/linkchecker"), "--no-status", "--no-warnings", "--verbose"]
CHECK_LINKS += ["-o", "csv"]  # every URL it checked, one line each
AREAS = [f"{n:02d}" for n in range(1, 22)] + ["90"]
PAGES = ["", "2022", "2022/v1", "2023", "2023/v1", "2023/v2", "areas", "quality"]
PAGES += [f"areas/{code}" for code in AREAS]


@pytest.fixture(scope="module")
def site(released: Path) -> Path:
    return released / "site"


def page(site: Path, path: str, lang: str = "fi") -> str:
    prefix = "" if lang == "fi" else f"{lang}/"
    return (site / prefix / path / "index.html").read_text(encoding="utf-8")


def text(markup: str) -> str:
    """The page's text as read: tags gone, entities decoded, spaces collapsed."""
    body = re.sub(r"<svg.*?</svg>", " ", markup, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def cells(markup: str, caption_id: str) -> list[list[str]]:
    """The rows of the table captioned `caption_id`, cell texts as read."""
    table = re.search(rf'<caption id="{caption_id}">.*?</table>', markup, flags=re.DOTALL)
    assert table, caption_id
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), flags=re.DOTALL)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)] for r in rows]


def test_every_page_of_every_release_in_three_languages_and_nothing_unreleased(site: Path):
    pages = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    expected = {
        "/".join(filter(None, (prefix, path, "index.html")))
        for prefix in ("", "sv", "en")
        for path in PAGES
    }
    assert pages == expected
    assert len(pages) == 90
    # Released outputs only: never a region's file (inputs/) nor the manifest's settings.
    assert not list(site.rglob("inputs")) and not list(site.rglob("manifest.json"))
    assert (site / "2023" / "v2" / "revisions.csv").is_file()
    assert not (site / "2023" / "v1" / "revisions.csv").exists()


def test_the_command_builds_the_bytes_the_release_run_built(
    released: Path, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`evstats site` and the `site` asset after the last release give the same site for
    the same releases; the next release date comes from the settings."""
    config = (ROOT / "config" / "evstats.toml").read_text(encoding="utf-8")
    settings = tmp_path / "evstats.toml"
    settings.write_text(config.replace('next_release = ""', 'next_release = "2025-03-13"'))
    monkeypatch.setenv("EVSTATS_CONFIG", str(settings))
    out = tmp_path / "site"
    assert main(["site", "--data-dir", str(released), "--out", str(out)]) == 0

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    built, by_asset = files(out), files(site)
    assert sorted(built) == sorted(by_asset)
    differ = {name for name in built if built[name] != by_asset[name]}
    assert differ == {"index.html", "sv/index.html", "en/index.html", "releases.json"}
    assert "Seuraava julkaisu: 13.3.2025." in text(page(out, ""))
    assert "Next release: 2025-03-13." in text(page(out, "", "en"))
    assert "Seuraavan julkaisun päivää ei ole vielä ilmoitettu." in text(page(site, ""))
    assert json.loads(built["releases.json"])["next_release"] == "2025-03-13"
    # What the asset compares before it builds: the same releases, address, date and code.
    url = "https://evstats.example.org/"
    assert is_current(released / "releases", site, url, "")
    assert not is_current(released / "releases", site, url, "2025-03-13")
    assert is_current(released / "releases", out, url, "2025-03-13")


def test_no_site_without_a_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """The working state (reports/) is never published: with no release there is no site."""
    (tmp_path / "reports" / "2023").mkdir(parents=True)
    assert main(["--lang", "en", "site", "--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"evstats site: no releases in {tmp_path / 'releases'}; "
        "the site is built from released versions only (evstats release)\n"
    )
    assert not (tmp_path / "site").exists()


def test_a_folder_that_is_not_a_site_is_never_replaced(released: Path, tmp_path: Path, schema):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no site"):
        build_site(released / "releases", tmp_path, schema, site_url="https://x.example/")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_release_pages_show_the_released_figures(site: Path):
    v1, v2 = page(site, "2023/v1"), page(site, "2023/v2")
    assert "Ilmoitetut tilanteet 26 Ensihoitotehtävät 75 000 " in text(v1)
    assert "Tilanteita 1 000 tehtävää kohden 0,35 Tehtäviä yhtä tilannetta kohden 2 885" in text(v1)
    assert "Tietoja toimittaneet alueet 4 / 22" in text(v1)
    assert "Ilmoitetut tilanteet 26 Ensihoitotehtävät 75 600 " in text(v2)
    assert "0,34 Tehtäviä yhtä tilannetta kohden 2 908" in text(v2)
    # v1 points to the release in force; only v2 has a revision notice.
    assert "Tämä ei ole vuoden viimeisin julkaisu: voimassa on v2." in text(v1)
    assert 'class="revision"' not in v1
    notice = text(v2)
    assert f"Tämä julkaisu korjaa julkaisua v1: 6 julkaistua arvoa muuttui. Syy: {CORRECTION}" in (
        notice
    )
    assert cells(v2, "revisions-caption")[1:] == [
        ["Koko maa", "year=2023", "missions", "75000", "75600", "muuttui"],
        ["Koko maa", "year=2023", "incidents_per_1000_missions", "0.3467", "0.3439", "muuttui"],
        ["Koko maa", "year=2023", "missions_per_incident", "2884.6", "2907.7", "muuttui"],
        ["Alueet", "year=2023, region_code=05", "missions", "24000", "24600", "muuttui"],
        [
            "Alueet",
            "year=2023, region_code=05",
            "incidents_per_1000_missions",
            "0.8333",
            "0.8130",
            "muuttui",
        ],
        [
            "Alueet",
            "year=2023, region_code=05",
            "missions_per_incident",
            "1200.0",
            "1230.0",
            "muuttui",
        ],
    ]
    en = text(page(site, "2023/v2", "en"))
    assert "This release revises release v1: 6 published values changed." in en
    assert "Release v2, 2024-04-02." in en and "https://evstats.example.org/en/2023/v2/" in en
    year = page(site, "2023")
    assert 'href="v2/index.html"' in year and "voimassa oleva julkaisu on v2" in text(year)


def test_downloads_are_the_released_files_with_the_manifests_sizes_and_hashes(
    released: Path, site: Path
):
    for release in ("2022/v1", "2023/v1", "2023/v2"):
        manifest = json.loads((released / "releases" / release / "manifest.json").read_text())
        listed = {f["path"]: f for f in manifest["outputs"]}
        markup = page(site, release)
        rows = re.findall(
            r'<a href="([^"]+)">[^<]+</a></td>\s*<td class="num" data-bytes="(\d+)">[^<]+</td>'
            r'\s*<td><code class="hash">([0-9a-f]{64})</code>',
            markup,
        )
        expected = 16 + (release == "2023/v2")  # 3 × (HTML, PDF, XLSX), 3 CSV, 1 JSON, 3 PX
        assert len(rows) == expected
        for href, size, sha in rows:
            assert listed[href]["sha256"] == sha and listed[href]["bytes"] == int(size)
            data = (site / release / href).read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha and len(data) == int(size)
        assert 'href="outputs/report.pdf"' in markup
        assert 'href="../../../2023/v2/outputs/report.en.pdf"' in page(site, "2023/v2", "en")


def test_each_area_has_its_released_years_with_hidden_cells_as_the_tables_show_them(
    released: Path, site: Path
):
    with open(released / "releases/2022/v1/outputs/tables/regions.csv", encoding="utf-8") as f:
        demo = {r["region_code"]: r for r in csv.DictReader(f)}
    header = ["Vuosi", "Tilanteita", "Tehtäviä", "/ 1 000 tehtävää", "Huomautus"]

    def rows(code: str) -> list[list[str]]:
        table = cells(page(site, f"areas/{code}"), "area-table")
        assert table[0] == header
        return table[1:]

    def written(value: str, decimals: int = 0) -> str:
        return f"{float(value):,.{decimals}f}".replace(",", " ").replace(".", ",")

    first = demo["01"]
    assert rows("01") == [
        [
            "2022",
            written(first["incidents"]),
            written(first["missions"]),
            written(first["incidents_per_1000_missions"], 2),
            "epävarma" if first["flag"] else "",
        ],
        ["2023", "..", "6 000", "..", "ei julkaista; Tilastomuutos"],
    ]
    assert rows("05")[1] == ["2023", "20", "24 600", "0,81", "Tilastomuutos"]
    assert rows("06")[1] == ["2023", ".", "8 400", ".", "tapahtumatiedot puuttuvat; Tilastomuutos"]
    assert rows("90")[1] == ["2023", "..", "33 000", "..", "ei julkaista; Tilastomuutos"]
    assert rows("02")[1] == ["2023", ".", ".", ".", "ei toimittanut; Tilastomuutos"]
    markup = page(site, "areas/05")
    assert "Sarjan katko vuodesta 2023: Vuodesta 2023 tiedonkeruu muuttui" in text(markup)
    assert "julkaisut 2022 v1, 2023 v2" in text(markup)
    chart = re.search(r"<svg .*?</svg>", markup, flags=re.DOTALL).group(0)
    assert 'role="img" aria-labelledby="area05-title" aria-describedby="area05-desc"' in chart
    assert "Varsinais-Suomen hyvinvointialue: ilmoitetut tilanteet ja suhdeluku" in chart
    assert ">Tilastomuutos<" in chart  # the break, drawn between 2022 and 2023
    described = re.search(r'<desc id="area01-desc">([^<]+)', page(site, "areas/01")).group(1)
    assert "Ei julkaista (..): 1. Tilastomuutos: 2023." in described
    sv = text(page(site, "areas/01", "sv"))
    assert "2023 .. 6 000 .. publiceras inte; Tidsseriebrott" in sv


def test_the_quality_description_says_what_the_releases_used(site: Path):
    fi = text(page(site, "quality"))
    for heading in (
        "Lähteet",
        "Kattavuus vuosittain",
        "Käsitteet ja muuttujat",
        "Tietosuoja",
        "Tarkistukset",
        "Alueiden selitykset",
        "Korjauskäytäntö",
    ):
        assert heading in fi
    assert "alle 3 tilanteen luvut" in fi  # the releases' threshold
    assert "Tapausmäärä muuttui paljon (incidents_factor = 2.0" in fi
    assert "Kirjaamiskäytäntö on muuttunut" in fi  # a reason, never an area's free text
    markup = page(site, "quality")
    coverage = cells(markup, "coverage-caption")[1:]
    assert coverage[0][:3] == ["2022", "v1", "22"]
    assert coverage[1][:3] == ["2023", "v2", "4"] and coverage[1][3].startswith("Keski-Uusimaa")
    assert 'href="../2023/v2/outputs/report.html#quality"' in markup


def test_language_switch_keeps_the_page_and_hreflang_names_each_language(site: Path):
    markup = page(site, "areas/05", "sv")
    assert '<link rel="alternate" hreflang="fi" href="../../../areas/05/index.html">' in markup
    assert '<link rel="alternate" hreflang="en" href="../../../en/areas/05/index.html">' in markup
    assert '<link rel="alternate" hreflang="x-default" href="../../../areas/05/index.html">' in (
        markup
    )
    assert '<a href="../../../en/areas/05/index.html" hreflang="en" lang="en">English</a>' in markup
    assert '<html lang="sv">' in markup
    assert '<meta property="og:url" content="https://evstats.example.org/sv/areas/05/">' in markup
    assert '<meta property="og:locale" content="sv_FI">' in markup
    assert "<script" not in "".join(p.read_text() for p in site.rglob("index.html"))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_feed_has_every_release_with_its_date_and_link(site: Path, lang: str):
    feed = feedparser.parse((site / ("" if lang == "fi" else lang) / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    prefix = "" if lang == "fi" else f"{lang}/"
    got = [(e.link, e.published_parsed[:3]) for e in feed.entries]
    assert got == [
        (f"https://evstats.example.org/{prefix}2023/v2/", (2024, 4, 2)),
        (f"https://evstats.example.org/{prefix}2023/v1/", (2024, 3, 14)),
        (f"https://evstats.example.org/{prefix}2022/v1/", (2023, 3, 15)),
    ]
    assert feed.feed.updated_parsed[:3] == (2024, 4, 2)
    assert CORRECTION in feed.entries[0].summary


def test_sitemap_and_robots(site: Path):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locs) == len(set(locs)) == 90
    assert "https://evstats.example.org/en/areas/90/" in locs
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert robots.endswith("Sitemap: https://evstats.example.org/sitemap.xml\n")


def test_the_nu_html_checker_finds_no_error_on_any_page(site: Path):
    if not VNU.is_file():
        pytest.fail(f"no {VNU}: `make system-tools` installs it (npm ci)")
    pages = sorted(str(p) for p in site.rglob("index.html"))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr)["messages"]
    assert [(m["url"].rsplit("site/", 1)[-1], m["message"]) for m in messages] == []
    assert result.returncode == 0


@pytest.fixture
def readable() -> Iterator[tuple[str, Path]]:
    """A copy of the site that linkchecker can read, and its address as a `file:` URL:
    started as root, the checker drops to `nobody`, who cannot enter pytest's folders
    (0700), so the copy lies in a folder of its own that others may read."""
    folder = Path(tempfile.mkdtemp(prefix="evstats-site-"))
    try:
        folder.chmod(0o755)
        yield folder.as_uri() + "/", folder
    finally:
        shutil.rmtree(folder)


def linkcheck(url: str) -> tuple[int, list[dict[str, str]]]:
    """linkchecker's exit status and every URL it checked (its CSV output, verbose)."""
    result = subprocess.run(
        [*CHECK_LINKS, url + "index.html"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    return result.returncode, list(csv.DictReader(lines, delimiter=";"))


def test_linkchecker_finds_no_broken_link_downloads_included(
    site: Path, readable: tuple[str, Path]
):
    url, folder = readable
    shutil.copytree(site, folder, dirs_exist_ok=True)
    status, checked = linkcheck(url)
    broken = [(r["url"], r["result"]) for r in checked if r["valid"] != "True"]
    assert broken == []
    assert status == 0
    urls = {r["url"] for r in checked}
    for release in ("2022/v1", "2023/v1", "2023/v2"):
        for lang in ("", "sv/", "en/"):
            assert f"{url}{lang}{release}/index.html" in urls
        assert f"{url}{release}/outputs/tables/regions.csv" in urls
        assert f"{url}{release}/outputs/report.sv.pdf" in urls
        assert f"{url}{release}/outputs/px/breakdowns.px" in urls
    assert f"{url}en/areas/90/index.html" in urls


def test_linkchecker_would_find_a_missing_download(site: Path, readable: tuple[str, Path]):
    url, folder = readable
    shutil.copytree(site, folder, dirs_exist_ok=True)
    (folder / "2023" / "v1" / "outputs" / "tables.sv.xlsx").unlink()
    status, checked = linkcheck(url)
    broken = {r["url"] for r in checked if r["valid"] != "True"}
    assert broken == {f"{url}2023/v1/outputs/tables.sv.xlsx"}
    assert status == 1


def test_the_check_would_find_a_scrolling_table_the_keyboard_cannot_reach(
    site: Path, browser: Browser, tmp_path: Path
):
    """The area's table is wider than a phone: without its tabindex axe fails the page."""
    markup = page(site, "areas/01")
    assert ' tabindex="0"' in markup
    copy = tmp_path / "areas" / "01" / "index.html"
    copy.parent.mkdir(parents=True)
    copy.write_text(markup.replace(' tabindex="0"', ""), encoding="utf-8")
    shutil.copyfile(site / "style.css", tmp_path / "style.css")
    view = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 900})
    try:
        view.goto(copy.as_uri())
        result = Axe().run(view, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    finally:
        view.close()
    assert "scrollable-region-focusable" in {v["id"] for v in result.response["violations"]}


PAGE_TYPES = {
    "front": "",
    "year": "2023",
    "release": "2023/v1",
    "revision": "2023/v2",
    "areas": "areas",
    "area": "areas/01",
    "quality": "quality",
}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_has_no_axe_violations_nor_overflow(
    site: Path, browser: Browser, kind: str, width: int
):
    for lang in ("fi", "sv", "en") if kind == "area" else ("fi",):
        prefix = "" if lang == "fi" else f"{lang}/"
        view = browser.new_page(viewport={"width": width, "height": 900})
        try:
            view.goto((site / prefix / PAGE_TYPES[kind] / "index.html").as_uri())
            result = Axe().run(view, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
            overflow = view.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        finally:
            view.close()
        assert {v["id"]: len(v["nodes"]) for v in result.response["violations"]} == {}
        assert overflow == 0
