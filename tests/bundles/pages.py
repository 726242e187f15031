"""Reading the pages of built PDFs in tests, as a reader sees them."""

from __future__ import annotations

import pypdf

# Where a page's footer is: below this many points from its bottom edge, a bundle stamps its
# page number (marking.STAMP_BOTTOM), and renditions used to print a footer of their own.
FOOTER_HEIGHT = 40


def footer(page: pypdf.PageObject) -> list[str]:
    """The text drawn in the page's bottom margin, piece by piece."""
    pieces: list[str] = []

    def visit(text, cm, tm, font, size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and y - float(page.mediabox.bottom) < FOOTER_HEIGHT:
            pieces.append(text.strip())

    page.extract_text(visitor_text=visit)
    return pieces
