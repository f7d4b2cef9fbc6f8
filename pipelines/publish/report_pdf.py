"""The report as a tagged A4 PDF (PDF/UA-1), printed by WeasyPrint from the page
published as `report.html`: the same template and view, each chart embedded as an
image of its SVG file rather than inline (`report.render_html(for_print=True)`).

One rendering instead of two: the PDF cannot drift from the page, and the HTML's
structure (headings, lists, tables with header cells, figures, `<html lang>`,
`<title>`) becomes the PDF's tag tree, which screen readers need. Page layout
(A4, margins, page numbers, breaks) lives in the template's print CSS.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from pipelines.files import replace_atomically

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

# The DejaVu Sans files matplotlib ships, under the family name the template asks
# for first: a machine without system fonts prints the same glyphs (ä, ö, å, –),
# and the page itself stays free of font files and requests.
FONT_FACES = "\n".join(
    f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; '
    f'src: url("{(FONT_DIR / name).as_uri()}"); }}'
    for weight, name in (("normal", "DejaVuSans.ttf"), ("bold", "DejaVuSans-Bold.ttf"))
)


@contextmanager
def _repeatable_font_subsets() -> Iterator[None]:
    """Without HarfBuzz's subsetter (Debian's libharfbuzz-subset0), WeasyPrint subsets
    the fonts with fontTools, which stamps each subset with the time of writing unless
    `SOURCE_DATE_EPOCH` is set. Set it (a caller's own value wins) while printing, so
    the same page gives the same bytes."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def write_pdf(html: str, path: Path) -> Path:
    """Print `html` to `path` as PDF/UA-1.

    Nothing volatile is written: the page carries no dates, so neither does the
    PDF; its file identifier is a hash of its content and the embedded font
    subsets are not time-stamped, so the same HTML gives the same bytes, as the
    HTML and the charts do.
    """
    fonts = FontConfiguration()
    try:
        with _repeatable_font_subsets():
            replace_atomically(
                path,
                lambda tmp: HTML(string=html).write_pdf(
                    tmp,
                    stylesheets=[CSS(string=FONT_FACES, font_config=fonts)],
                    font_config=fonts,
                    pdf_variant="pdf/ua-1",
                    pdf_identifier=True,
                ),
            )
    finally:
        # WeasyPrint copies the @font-face files (1.4 MB) into a temporary folder that
        # only this finaliser removes, and reference cycles keep `fonts` alive past the
        # call: for good in a forked report worker, which ends without collecting them.
        fonts.__del__()
    return path
