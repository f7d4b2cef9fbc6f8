"""The report of the hand-made fixture year, in all three languages."""

import csv
import re
import shutil

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.publish.numbers import NBSP
from pipelines.settings import Settings
from tests.conftest import FIXTURES

# Hand count (tests/fixtures/README.md): 26 incidents, 75,000 missions, 4 areas.
KEY_FIGURES = {
    "fi": ["26", f"75{NBSP}000", "0,35", f"2{NBSP}885", "4 / 22"],
    "sv": ["26", f"75{NBSP}000", "0,35", f"2{NBSP}885", "4 / 22"],
    "en": ["26", "75,000", "0.35", "2,885", "4 of 22"],
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(FIXTURES / "inbox", root / "inbox")
    settings = Settings(data_dir=str(root))
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    return root / "reports" / "2023"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_html_is_self_contained_and_shows_key_figures(reports, lang):
    name = "report.html" if lang == "fi" else f"report.{lang}.html"
    html = (reports / name).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    assert f'<html lang="{lang}">' in html
    for figure in KEY_FIGURES[lang]:
        assert f'<div class="value">{figure}</div>' in html
    assert html.count("<svg") == 5


@pytest.mark.parametrize(
    ("lang", "pages", "last_page"),
    [("fi", 11, "Sivu 11"), ("sv", 11, "Sida 11"), ("en", 10, "Page 10")],
)
def test_pdf_pages_and_text(reports, lang, pages, last_page):
    name = "report.pdf" if lang == "fi" else f"report.{lang}.pdf"
    pdf = PdfReader(reports / name)
    # One page for key figures, then each of the six other sections from a new page;
    # regions (chart; 23-row table) and when (two charts; month and heat-map tables) take
    # two each, what happened (a page-high chart; eight tables) three, or two in English,
    # whose shorter labels fit its tables on one page.
    assert len(pdf.pages) == pages
    first = pdf.pages[0].extract_text().replace(NBSP, " ")
    for figure in KEY_FIGURES[lang]:
        assert figure.replace(NBSP, " ") in first
    assert last_page in pdf.pages[-1].extract_text()


def test_workbook_numbers_equal_the_csv_tables(reports):
    with open(reports / "tables" / "regions.csv", encoding="utf-8") as f:
        published = {r["region_code"]: r for r in csv.DictReader(f)}
    book = load_workbook(reports / "tables.xlsx")
    assert book.sheetnames == ["Koko maa", "Alueet", "Jakaumat", "Aikasarja", "metadata"]
    sheet = book["Alueet"]
    rows = list(sheet.iter_rows(min_row=5, max_row=26, values_only=True))
    assert len(rows) == 22
    for code, _name, incidents, missions, rate, _mpi, _flag in rows:
        csv_row = published[code]
        assert incidents == (int(csv_row["incidents"]) if csv_row["incidents"] else None)
        assert missions == (int(csv_row["missions"]) if csv_row["missions"] else None)
        if csv_row["incidents_per_1000_missions"]:
            assert round(rate, 4) == float(csv_row["incidents_per_1000_missions"])
        else:
            assert rate is None
    national = book["Koko maa"]
    assert [c.value for c in national[5]][:3] == [2023, 26, 75000]


def test_suppressed_counts_appear_nowhere(reports):
    """Itä-Uusimaa (2 incidents) and Helsinki (4, the complement) are hidden in every output."""
    html = (reports / "report.html").read_text(encoding="utf-8")
    for name in ("Itä-Uusimaa", "Helsinki"):
        row = re.search(rf"<tr><th scope=\"row\">{name}</th><td class=\"n\">([^<]*)</td>", html)
        assert row and row.group(1) == ".."
    book = load_workbook(reports / "tables.xlsx")
    rows = {r[0]: r for r in book["Alueet"].iter_rows(min_row=5, max_row=26, values_only=True)}
    assert rows["01"][2] is None and rows["90"][2] is None
    assert rows["01"][6] == "ei julkaista"
    svg = (reports / "charts" / "fi" / "regions.svg").read_text(encoding="utf-8")
    assert "0,33" not in svg  # Itä-Uusimaa's hidden rate: 1,000 × 2 / 6,000


def test_rebuilding_gives_identical_html_and_charts(reports, tmp_path):
    root = reports.parents[1]
    before = {p: p.read_bytes() for p in (reports / "charts").rglob("*.*")}
    html = (reports / "report.en.html").read_bytes()
    job = build_defs(Settings(data_dir=str(root))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    assert {p: p.read_bytes() for p in (reports / "charts").rglob("*.*")} == before
    assert (reports / "report.en.html").read_bytes() == html


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("fi", "Tehtäviä yhtä tilannetta kohden"),
        ("sv", "Uppdrag per situation"),
        ("en", "Missions per incident"),
    ],
)
def test_missions_per_incident_is_named_what_it_is(reports, lang, label):
    """The figure 2,885 is missions per incident, not 'one incident per missions'."""
    name = "report.html" if lang == "fi" else f"report.{lang}.html"
    html = (reports / name).read_text(encoding="utf-8")
    figure = re.search(r'<div class="value">([^<]*)</div>\s*<div class="label">' + label, html)
    assert figure and figure.group(1) == KEY_FIGURES[lang][3]
