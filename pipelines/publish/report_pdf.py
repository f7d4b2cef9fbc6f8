"""The report as an A4 PDF with page numbers, drawn with ReportLab from the same
view as the HTML page. Fonts are the DejaVu Sans files that matplotlib ships, so
ä, ö and å print everywhere and nothing is fetched."""

from __future__ import annotations

from pathlib import Path

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pipelines.publish.view import View

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BLUE = colors.HexColor("#0072B2")
GREY = colors.HexColor("#6e6e6e")
TEXT_WIDTH = A4[0] - 4 * cm


def _fonts() -> None:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="DejaVu", fontSize=9.5, leading=13.5, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName="DejaVu-Bold", fontSize=20, leading=24
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, textColor=GREY),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName="DejaVu-Bold",
            fontSize=13.5,
            leading=17,
            spaceBefore=6,
            spaceAfter=8,
            textColor=BLUE,
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontName="DejaVu-Bold",
            fontSize=8.5,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=10, textColor=GREY),
        "figure": ParagraphStyle(
            "figure", parent=base, fontName="DejaVu-Bold", fontSize=15, leading=18
        ),
    }


def _table(
    header: list[str],
    rows: list[list[str]],
    text_columns: tuple[int, ...],
    st: dict[str, ParagraphStyle],
) -> Table:
    data = [[Paragraph(h, st["cell"]) for h in header]]
    data += [
        [Paragraph(c, st["cell"]) if i in text_columns else c for i, c in enumerate(r)]
        for r in rows
    ]
    table = Table(
        data,
        repeatRows=1,
        hAlign="LEFT",
        colWidths=[TEXT_WIDTH * 0.3] + [None] * (len(header) - 1)
        if len(header) > 1
        else [TEXT_WIDTH],
    )
    style = [
        ("FONT", (0, 0), (-1, -1), "DejaVu", 7.5),
        ("FONT", (0, 0), (-1, 0), "DejaVu-Bold", 7.5),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f7fa")]),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    table.setStyle(TableStyle(style))
    return table


def write_pdf(view: View, path: Path) -> Path:
    _fonts()
    st = _styles()
    story: list[object] = [
        Paragraph(view.publisher, st["subtitle"]),
        Paragraph(view.title, st["title"]),
        Paragraph(view.subtitle, st["subtitle"]),
        Spacer(1, 0.6 * cm),
    ]
    for number, section in enumerate(view.sections, start=1):
        if number > 1:
            story.append(PageBreak())
        story.append(Paragraph(f"{number}. {section.heading}", st["h2"]))
        if section.key == "key":
            story.append(Paragraph(view.summary, st["body"]))
            cells = [
                [Paragraph(value or "–", st["figure"]), Paragraph(label, st["body"])]
                for label, value, _ in view.key_figures
                if value
            ]
            story.append(
                Table(
                    cells,
                    colWidths=[5 * cm, TEXT_WIDTH - 5 * cm],
                    hAlign="LEFT",
                    style=[
                        ("LINEBELOW", (0, 0), (-1, -1), 0.3, GREY),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ],
                )
            )
            story += [
                Paragraph(f"{label}: {note}", st["body"])
                for label, value, note in view.key_figures
                if not value
            ]
        story += [Paragraph(p, st["body"]) for p in section.paragraphs]
        for chart in section.charts:
            png = view.chart_files[chart][0]
            image = Image(str(png))
            scale = TEXT_WIDTH / image.imageWidth
            image.drawWidth, image.drawHeight = TEXT_WIDTH, image.imageHeight * scale
            story += [image, Spacer(1, 0.3 * cm)]
        for t in section.tables:
            if not t.rows:
                continue
            block = [
                Paragraph(t.caption, st["caption"]),
                _table(t.header, t.rows, t.text_columns, st),
            ]
            block += [Paragraph(n, st["note"]) for n in t.notes]
            story.append(KeepTogether(block) if len(t.rows) < 30 else block[0])
            if len(t.rows) >= 30:
                story += block[1:]
    story += [Spacer(1, 0.5 * cm), Paragraph(view.source, st["note"])]

    def footer(canvas: object, doc: object) -> None:
        canvas.saveState()
        canvas.setFont("DejaVu", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(2 * cm, 1.2 * cm, view.title)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, view.texts["page"].format(page=doc.page))
        canvas.restoreState()

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=view.title,
        author=view.publisher,
        lang=view.lang,
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path
