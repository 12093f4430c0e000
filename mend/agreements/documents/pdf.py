"""Laying out a document as a PDF: embedded fonts, real text, title and language set.

The fonts are Bitstream Vera, shipped inside ReportLab, embedded in every file: a reader's
machine needs no font of its own, and the letters of Spanish (á, ñ, ¿, ¡) print. Nothing
relies on the standard PDF fonts, which cover Latin-1 only and are not embedded.

Everything written on the page is escaped first: ReportLab reads markup in a paragraph
(even an image tag that opens a file), and the text comes from people.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT = "MendSans"
BOLD = "MendSans-Bold"
_FONT_FILES = {
    FONT: "Vera.ttf",
    BOLD: "VeraBd.ttf",
    "MendSans-Italic": "VeraIt.ttf",
    "MendSans-BoldItalic": "VeraBI.ttf",
}
MARGIN = 20 * mm


@cache
def register_fonts() -> None:
    """Once per process: the Vera family under Mend's own names."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=BOLD, italic="MendSans-Italic", boldItalic="MendSans-BoldItalic"
    )


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Facts:
    """Labelled values, one a row."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Items:
    items: Sequence[str]


@dataclass(frozen=True)
class SignatureLine:
    """Room for someone who has not yet agreed to sign and date."""

    name: str


@dataclass(frozen=True)
class Group:
    """Blocks kept on one page when they fit (a term's heading with its details)."""

    blocks: Sequence[Block]


Block = Heading | Text | Facts | Items | SignatureLine | Group


@dataclass(frozen=True)
class Document:
    title: str
    # The language it is written in (a code of settings.LANGUAGES): set in the file, so
    # that a screen reader reads it in that language.
    language: str
    # Printed at the foot of each page with the page number (the case reference).
    footer: str
    blocks: Sequence[Block]


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=6)
    return {
        "body": body,
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=BOLD, fontSize=17, leading=21, spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=13, leading=17, spaceBefore=10
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=BOLD, fontSize=11, leading=15, spaceBefore=6
        ),
        "label": ParagraphStyle("label", parent=body, fontName=BOLD, spaceAfter=0),
        "value": ParagraphStyle("value", parent=body, spaceAfter=0),
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=12),
    }


def _markup(text: str) -> str:
    return escape(str(text)).replace("\n", "<br/>")


def _flowables(block: Block, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    if isinstance(block, Heading):
        return [Paragraph(_markup(block.text), styles[f"h{min(block.level, 3)}"])]
    if isinstance(block, Text):
        return [Paragraph(_markup(block.text), styles["body"])]
    if isinstance(block, Facts):
        rows = [
            [Paragraph(_markup(label), styles["label"]), Paragraph(_markup(value), styles["value"])]
            for label, value in block.rows
        ]
        table = Table(rows, colWidths=[width * 0.36, width * 0.64], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    # A table's own default is a standard font, even around paragraphs.
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return [table, Spacer(1, 6)]
    if isinstance(block, Items):
        return [
            ListFlowable(
                [ListItem(Paragraph(_markup(item), styles["body"])) for item in block.items],
                bulletType="bullet",
                bulletFontName=FONT,
                leftIndent=14,
            )
        ]
    if isinstance(block, SignatureLine):
        line = Table(
            [
                [_("Signature"), "", _("Date"), ""],
                [block.name, "", "", ""],
            ],
            colWidths=[width * 0.14, width * 0.46, width * 0.1, width * 0.3],
            rowHeights=[28, 16],
            hAlign="LEFT",
        )
        line.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                    ("LINEBELOW", (1, 0), (1, 0), 0.75, colors.black),
                    ("LINEBELOW", (3, 0), (3, 0), 0.75, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("SPAN", (0, 1), (1, 1)),
                ]
            )
        )
        return [KeepTogether([line]), Spacer(1, 10)]
    inner = [f for child in block.blocks for f in _flowables(child, styles, width)]
    return [KeepTogether(inner)]


def render(document: Document) -> bytes:
    """The document as the bytes of a PDF file, worded in its own language."""
    register_fonts()
    styles = _styles()
    out = io.BytesIO()
    with translation.override(document.language):
        page_label = _("Page %(number)s")
        template = SimpleDocTemplate(
            out,
            pagesize=LETTER,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=document.title,
            author="Mend",
            subject="Mend",
            creator="Mend",
            lang=document.language,
            displayDocTitle=True,
            initialFontName=FONT,
        )
        width = template.width

        def footer(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(FONT, 8.5)
            text = f"{document.footer} · {page_label % {'number': doc.page}}"
            canvas.drawString(MARGIN, MARGIN / 2, text)
            canvas.restoreState()

        story = [f for block in document.blocks for f in _flowables(block, styles, width)]
        template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
