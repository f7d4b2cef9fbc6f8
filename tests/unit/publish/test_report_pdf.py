"""The PDF writer prints a page as tagged PDF/UA-1, with the bundled fonts, repeatably."""

import os
import tempfile
import time

import pytest
import weasyprint.pdf.fonts
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from pipelines.publish.report_pdf import FONT_DIR, write_pdf

NBSP = "\u00a0"
PAGE = f"""<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><title>Hot och våld 2023</title>
<style>body {{ font-family: "DejaVu Sans", sans-serif; }}</style></head>
<body>
<h1>Hot och våld 2023</h1>
<p>Åland – Närpes: 1{NBSP}234 uppdrag, Ähtäri ja Öljy</p>
<table><caption>Tabell</caption>
<thead><tr><th>Område</th><th>Antal</th></tr></thead>
<tbody><tr><td>Åboland</td><td>12</td></tr></tbody>
</table>
</body>
</html>
"""


def test_the_pdf_is_tagged_pdf_ua_with_language_and_title(tmp_path):
    pdf = PdfReader(write_pdf(PAGE, tmp_path / "page.pdf"))
    catalog = pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "sv"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert pdf.metadata.title == "Hot och våld 2023"
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp


def test_nordic_letters_dashes_and_no_break_spaces_print_in_dejavu(tmp_path):
    pdf = PdfReader(write_pdf(PAGE, tmp_path / "page.pdf"))
    text = pdf.pages[0].extract_text()
    assert f"Åland – Närpes: 1{NBSP}234 uppdrag, Ähtäri ja Öljy" in text
    fonts = {
        f.get_object()["/BaseFont"].split("+", 1)[1]
        for f in pdf.pages[0]["/Resources"]["/Font"].values()
    }
    assert fonts == {"DejaVu-Sans", "DejaVu-Sans-Bold"}
    assert (FONT_DIR / "DejaVuSans.ttf").is_file()
    assert (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()


@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_the_same_page_gives_the_same_bytes_at_another_time(subsetter, tmp_path, monkeypatch):
    """A later write must not differ. WeasyPrint subsets fonts with HarfBuzz when Debian's
    libharfbuzz-subset0 is there and with fontTools, which stamps them with the clock,
    when it is not: both are tried, whichever this machine has."""
    if subsetter == "fonttools":
        monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    elif weasyprint.pdf.fonts.harfbuzz_subset is None:
        pytest.skip("no libharfbuzz-subset on this machine")
    first = write_pdf(PAGE, tmp_path / "first.pdf").read_bytes()
    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    assert write_pdf(PAGE, tmp_path / "second.pdf").read_bytes() == first
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_no_copy_of_the_fonts_is_left_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    write_pdf(PAGE, tmp_path / "page.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["page.pdf"]
