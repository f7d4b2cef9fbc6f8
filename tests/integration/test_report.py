"""The report of the hand-made fixture year, in all three languages."""

import csv
import re
import shutil
import time
from html import unescape

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject, IndirectObject

from pipelines.definitions import JOB_NAME, build_defs
from pipelines.publish.numbers import NBSP
from pipelines.settings import Settings
from tests.workbooks import printed_pages

# Hand count (tests/fixtures/README.md): 26 incidents, 75,000 missions, 4 areas.
KEY_FIGURES = {
    "fi": ["26", f"75{NBSP}000", "0,35", f"2{NBSP}885", "4 / 22"],
    "sv": ["26", f"75{NBSP}000", "0,35", f"2{NBSP}885", "4 / 22"],
    "en": ["26", "75,000", "0.35", "2,885", "4 of 22"],
}


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


def pdf_name(lang):
    return "report.pdf" if lang == "fi" else f"report.{lang}.pdf"


def struct_elements(element):
    """Every element of a tag tree, in reading order, from `element` down."""
    element = element.get_object()
    yield element
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        if isinstance(kid, IndirectObject | DictionaryObject):
            yield from struct_elements(kid)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_pdf_pages_and_text(reports, lang):
    html = (reports / pdf_name(lang).replace(".pdf", ".html")).read_text(encoding="utf-8")
    pdf = PdfReader(reports / pdf_name(lang))
    # Key figures on the first page, then each of the six other sections from a new page:
    # regions (chart; 23-row table) and when (two charts; month table) take two pages
    # each, what happened (chart and eight tables) three, the other three one each.
    assert len(pdf.pages) == 11
    first = pdf.pages[0].extract_text().replace(NBSP, " ")
    for figure in KEY_FIGURES[lang]:
        assert figure.replace(NBSP, " ") in first
    methods = re.findall(r"<h2>7\. (.*)</h2>", html)[0]
    assert methods not in first  # the contents list is for the screen only
    assert pdf.pages[-1].extract_text().endswith("11 / 11")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_pdf_is_tagged_with_the_pages_language_and_title(reports, lang):
    html = (reports / pdf_name(lang).replace(".pdf", ".html")).read_text(encoding="utf-8")
    title = re.search(r"<title>(.*)</title>", html).group(1)
    pdf = PdfReader(reports / pdf_name(lang))
    catalog = pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert catalog["/Lang"] == lang
    assert pdf.metadata.title == title
    assert b'pdfuaid:part="1"' in catalog["/Metadata"].get_object().get_data()
    tags = {e["/S"] for e in struct_elements(catalog["/StructTreeRoot"]) if "/S" in e}
    assert {"/H1", "/H2", "/P", "/Table", "/Caption", "/TH", "/TD", "/Figure"} <= tags


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_pdf_figures_are_named_and_described_as_on_the_page(reports, lang):
    """Each chart of the page, in its order, is a figure of the PDF whose alternative
    text is the chart's title and then its description, as the SVG's own."""
    html = (reports / pdf_name(lang).replace(".pdf", ".html")).read_text(encoding="utf-8")
    titles = re.findall(r'<title id="[a-z]+-title">(.*?)</title>', html)
    descriptions = re.findall(r'<desc id="[a-z]+-desc">(.*?)</desc>', html)
    assert len(titles) == len(descriptions) == 5
    expected = [unescape(f"{t}. {d}") for t, d in zip(titles, descriptions, strict=True)]
    catalog = PdfReader(reports / pdf_name(lang)).trailer["/Root"]
    figures = [e for e in struct_elements(catalog["/StructTreeRoot"]) if e.get("/S") == "/Figure"]
    assert [str(f["/Alt"]) for f in figures] == expected


def test_workbook_numbers_equal_the_csv_tables(reports):
    with open(reports / "tables" / "regions.csv", encoding="utf-8") as f:
        published = {r["region_code"]: r for r in csv.DictReader(f)}
    book = load_workbook(reports / "tables.xlsx")
    assert book.sheetnames == [
        "Koko maa",
        "Alueet",
        "Jakaumat",
        "Viikonpäivä ja kellonaika",
        "Aikasarja",
        "Metatiedot",
    ]
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
    pdf = "\n".join(p.extract_text() for p in PdfReader(reports / "report.pdf").pages)
    assert f"Itä-Uusimaa .. 6{NBSP}000 .. . ei julkaista" in pdf.splitlines()
    assert f"Helsinki .. 33{NBSP}000 .. . ei julkaista" in pdf.splitlines()
    assert "0,33" not in pdf


def test_rebuilding_gives_identical_html_pdf_workbooks_and_charts(reports, tmp_path):
    """A second run a second or more later: nothing it writes may carry the time of
    the run (the workbook used to, in its metadata sheet and zip member dates)."""
    root = reports.parents[1]
    before = {p: p.read_bytes() for p in (reports / "charts").rglob("*.*")}
    html = (reports / "report.en.html").read_bytes()
    documents = {p: p.read_bytes() for p in [*reports.glob("*.pdf"), *reports.glob("*.xlsx")]}
    time.sleep(2)  # zip dates have a resolution of two seconds
    job = build_defs(Settings(data_dir=str(root))).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    assert {p: p.read_bytes() for p in (reports / "charts").rglob("*.*")} == before
    assert (reports / "report.en.html").read_bytes() == html
    assert len(documents) == 6
    assert {p: p.read_bytes() for p in documents} == documents


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


def test_workbook_columns_fit_their_values_and_headers_are_in_the_language(reports):
    book = load_workbook(reports / "tables.xlsx")
    regions = book["Alueet"]
    assert [c.value for c in regions[4]][:2] == ["Koodi", "Alue"]
    longest = max(len(str(c.value)) for c in regions["B"][4:26])  # Vantaan ja Keravan …
    assert regions.column_dimensions["B"].width >= longest
    assert regions.column_dimensions["A"].width <= 10  # a two-digit code needs no more
    english = load_workbook(reports / "tables.en.xlsx")
    assert [c.value for c in english["Areas"][4]][:2] == ["Code", "Area"]


def test_workbook_prints_on_a4_fitted_to_width_with_the_header_repeated(reports):
    for sheet in load_workbook(reports / "tables.xlsx").worksheets:
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_area
    assert load_workbook(reports / "tables.xlsx")["Alueet"].print_title_rows == "$4:$4"


def test_workbook_prints_in_a_few_whole_pages_in_libreoffice(reports, tmp_path):
    """As a reader prints it: one page for each sheet, two for the 80-row breakdowns
    (it was 19 pages of column fragments). LibreOffice is installed by the Makefile."""
    assert printed_pages(reports / "tables.xlsx", tmp_path) <= 8  # seven here; fonts may differ


@pytest.mark.parametrize(
    ("lang", "flag"), [("fi", "epävarma"), ("sv", "osäker"), ("en", "unreliable")]
)
def test_methods_name_the_unreliable_flag_the_tables_use(reports, lang, flag):
    """The methods once promised a `*` that no table or chart ever showed."""
    name = "report.html" if lang == "fi" else f"report.{lang}.html"
    html = (reports / name).read_text(encoding="utf-8")
    methods = html.split('id="methods"', 1)[1]
    assert "(*)" not in html and "* " + flag not in methods
    assert f"”{flag}”" in methods or f"“{flag}”" in methods
    assert f">{flag}<" in html  # the word the regions table writes in its flag column


def test_workbook_has_the_heat_map_as_published(reports):
    """The weekday × time table of the report, with its hidden cells as `..`."""
    html = (reports / "report.html").read_text(encoding="utf-8")
    sheet = load_workbook(reports / "tables.xlsx")["Viikonpäivä ja kellonaika"]
    header = [c.value for c in sheet[4]]
    assert header == [
        "Viikonpäivä",
        "klo 00–04",
        "klo 04–08",
        "klo 08–12",
        "klo 12–16",
        "klo 16–20",
        "klo 20–24",
    ]
    rows = list(sheet.iter_rows(min_row=5, max_row=11, values_only=True))
    assert [r[0] for r in rows][:2] == ["maanantai", "tiistai"]
    cells = [v for r in rows for v in r[1:]]
    assert all(v == ".." or isinstance(v, int) for v in cells)
    table = html.split("Tilanteet viikonpäivän ja kellonajan mukaan, 2023</caption>", 1)[1]
    assert table.split("</table>", 1)[0].count(">..<") == cells.count("..")


def test_the_quality_section_gives_the_regions_reasons_not_their_words(tmp_path):
    """Explanations in the register: the one of the file in force is shown with its check
    and reason; its free text and the explanation of a replaced file are not."""
    from datetime import UTC, datetime

    from pipelines.definitions import JOB_NAME, build_defs
    from pipelines.register.db import connect
    from pipelines.settings import Settings
    from tests.conftest import FIXTURES

    shutil.copytree(FIXTURES / "inbox", tmp_path / "inbox")
    settings = Settings(data_dir=str(tmp_path))
    job = build_defs(settings).resolve_job_def(JOB_NAME)
    assert job.execute_in_process(partition_key="2023").success
    db = connect(settings)
    from pipelines.contract.schema import load_schema
    from pipelines.register.models import Explanation, Submission
    from pipelines.register.receipts import receive
    from pipelines.validate.receipt import judge, judged

    replaced = Submission.objects.using(db).get(region_code="05", kind="incidents")
    data = (FIXTURES / "inbox/2023/05/incidents.csv").read_bytes().rstrip() + b"\n"
    data = data[: data.rstrip().rindex(b"\n") + 1]  # its last row withdrawn
    schema = load_schema()
    verdict = judge("incidents.csv", data, "05", 2023, schema, settings, "fi", db=db)
    held = receive(settings, 2023, "05", data, judged(verdict, schema, "fi"), "cli", db=db)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    explained = {"rule": "incidents_changed", "row": None, "explained_at": now}
    Explanation.objects.using(db).create(
        submission=held, reason="recording_practice",
        text="Uusi kirjaamisohje maaliskuusta 17 tapausta", **explained,
    )  # fmt: skip
    Explanation.objects.using(db).create(
        submission=replaced, reason="to_be_corrected", text="", **explained
    )
    assert job.execute_in_process(partition_key="2023").success
    page = (tmp_path / "reports/2023/report.html").read_text(encoding="utf-8")
    section = page.split('id="quality"', 1)[1].split("<section", 1)[0]
    assert "Alueiden selitykset poikkeamille" in section
    assert "Tapausmäärä muuttui paljon" in section and "Kirjaamiskäytäntö on muuttunut" in section
    assert "Virhe, korjataan" not in section and "kirjaamisohje" not in page
    english = (tmp_path / "reports/2023/report.en.html").read_text(encoding="utf-8")
    assert "Change in recording practice" in english


def test_the_report_is_gathered_from_aggregates_without_a_single_row(reports, tmp_path):
    """Its cost does not grow with the rows (issue 21): on a copy of the warehouse with
    every row table and view dropped, it gathers exactly the same data."""
    import duckdb

    from pipelines import __version__
    from pipelines.contract.schema import load_schema
    from pipelines.publish.report_data import gather
    from pipelines.publish.tables import Disclosure

    schema = load_schema()
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(reports.parents[1] / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        before = gather(con, 2023, Disclosure(), schema, __version__)
        for kind in schema.contracts:
            con.execute(f"DROP VIEW {kind}")
            con.execute(f"DROP VIEW in_force_{kind}")
            con.execute(f"DROP TABLE staged_{kind}")
        assert before == gather(con, 2023, Disclosure(), schema, __version__)
        assert before.national["incidents"] == 26  # the fixture year's hand count
