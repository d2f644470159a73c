"""ReportLab set-up shared by the PDFs for cabinet papers (the commitments report and the "We
asked, You said, We did" report): A4 with 18 mm margins, ReportLab's ``invariant`` mode so the
same document gives the same bytes, a small text style for tables and captions, one table style,
and pictures scaled to the text width. ReportLab is imported when a PDF is drawn, not before."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MARGIN_MM = 18
HEADER_BACKGROUND = "#f3f2f1"
RULE_COLOUR = "#b1b4b6"


def escape(value: object) -> str:
    """Text for a ReportLab ``Paragraph``, which reads a little XML: ``&``, ``<`` and ``>`` escaped."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class PdfDocument:
    """An A4 document being written: build it with ``finish(story)``."""

    template: Any
    buffer: io.BytesIO
    width: float
    """The text width in points, for tables and pictures."""
    styles: Any
    body: Any
    small: Any

    def table(self, header: Sequence[object], rows: Sequence[Sequence[object]], widths: Sequence[float], *,
              bold_header: bool = False) -> Any:
        """Header and rows as wrapped paragraphs; ``widths`` are shares of the text width."""
        from reportlab.lib import colors
        from reportlab.platypus import Paragraph, Table, TableStyle

        data = [[Paragraph(escape(h), self.small) for h in header]] + \
               [[Paragraph(escape(v), self.small) for v in row] for row in rows]
        result = Table(data, colWidths=[w * self.width for w in widths], repeatRows=1)
        style = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BACKGROUND)),
                 ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(RULE_COLOUR)),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if bold_header:
            style.insert(0, ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"))
        result.setStyle(TableStyle(style))
        return result

    def picture(self, png: bytes) -> Any:
        """A PNG at its own size, or shrunk to the text width."""
        from reportlab.platypus import Image

        image = Image(io.BytesIO(png))
        scale = min(1.0, self.width / image.drawWidth)
        image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
        return image

    def finish(self, story: list[Any]) -> bytes:
        self.template.build(story)
        return self.buffer.getvalue()


def a4_document(*, title: str, subject: str, author: str = "") -> PdfDocument:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    options = {"author": author} if author else {}
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_MM * mm, rightMargin=MARGIN_MM * mm,
                                 topMargin=MARGIN_MM * mm, bottomMargin=MARGIN_MM * mm, title=title, subject=subject,
                                 invariant=1, **options)
    styles = getSampleStyleSheet()
    return PdfDocument(template=template, buffer=buffer, width=A4[0] - 2 * MARGIN_MM * mm, styles=styles,
                       body=styles["BodyText"], small=styles["BodyText"].clone("small", fontSize=8, leading=10))
