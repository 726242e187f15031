"""Where text stands on a page: the boxes over each match of a term or a regular expression
in a PDF's text layer, read with PDFium (pypdfium2). Pure: no Django.

PDFium gives each character's box in the page's own space (PDF user space: y upwards, the
page unrotated, the crop box not applied); `Page.shown` turns such a box into the
convention of the engine: points from the top-left corner of the page as it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

# Either side of each match, so that a box covers the ink of italics that leans past a
# character's box. Above and below, the characters' loose boxes (the font's whole height,
# ascenders to descenders) are enough, and more would cover the next line. (In user space:
# for text turned in it, the sides are not quite the ends, and the loose box still holds.)
PADDING = 1.0
_LINE_BREAKS = frozenset("\r\n")
# What PDFium gives for a hyphen that ends a line, in place of the hyphen and the line break.
_END_OF_LINE_HYPHEN = "\x02"


@dataclass(frozen=True)
class Page:
    """A page's geometry: its crop box in user space and its rotation (0, 90, 180, 270)."""

    crop: Rect  # left, bottom, right, top in user space
    rotation: int

    @property
    def size(self) -> tuple[float, float]:
        """Width and height as shown, in points."""
        width, height = self.crop[2] - self.crop[0], self.crop[3] - self.crop[1]
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def shown(self, rect: Rect) -> Rect:
        """A rectangle of user space (left, bottom, right, top) as (x0, y0, x1, y1) on the
        page as shown, clipped to it."""
        left, bottom, right, top = self.crop
        width, height = right - left, top - bottom
        # From the crop box's top-left, y downwards, then turned as /Rotate turns the page
        # (clockwise, in steps of 90 degrees).
        u0, u1 = rect[0] - left, rect[2] - left
        v0, v1 = top - rect[3], top - rect[1]
        if self.rotation == 90:
            x0, x1, y0, y1 = height - v1, height - v0, u0, u1
        elif self.rotation == 180:
            x0, x1, y0, y1 = width - u1, width - u0, height - v1, height - v0
        elif self.rotation == 270:
            x0, x1, y0, y1 = v0, v1, width - u1, width - u0
        else:
            x0, x1, y0, y1 = u0, u1, v0, v1
        shown_width, shown_height = self.size
        return (
            max(0.0, min(x0, x1)),
            max(0.0, min(y0, y1)),
            min(shown_width, max(x0, x1)),
            min(shown_height, max(y0, y1)),
        )


def geometry(page: pdfium.PdfPage) -> Page:
    rotation = page.get_rotation() % 360
    return Page(crop=tuple(page.get_cropbox()), rotation=rotation)


def compile_all(terms: Sequence[str], patterns: Sequence[str]) -> list[re.Pattern[str]]:
    """One regular expression per term (any case; any run of spaces in it matches any run of
    spaces or a line break, as a phrase wraps) and per pattern, as given. Raises ValueError
    naming a pattern that is not a regular expression."""
    compiled = [
        re.compile(r"\s+".join(re.escape(word) for word in term.split()), re.IGNORECASE)
        for term in terms
        if term.strip()
    ]
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as error:
            raise ValueError(
                f"The pattern {pattern!r} is not a valid regular expression ({error})."
            ) from None
    return compiled


def page_matches(page: pdfium.PdfPage, expressions: Sequence[re.Pattern[str]]) -> list[Rect]:
    """The boxes (as shown) over every match of `expressions` in the page's text: one per
    line a match runs over."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        # Character by character, so that an index in the string is PDFium's own index (its
        # text extraction may add or drop characters).
        text = "".join(_char(textpage, index) for index in range(count))
        # A token broken after a hyphen at the end of a line (WeasyPrint and word processors
        # break "sk-proj-…" there) is matched whole: the line break is left out of the text
        # searched, and `kept` maps its indices back.
        kept = [i for i in range(count) if not _wrap_after_hyphen(text, i)]
        searched = "".join(text[i] for i in kept).replace(_END_OF_LINE_HYPHEN, "-")
        spans = sorted(
            {
                (kept[match.start()], kept[match.end() - 1] + 1)
                for expression in expressions
                for match in expression.finditer(searched)
                if match.end() > match.start()
            }
        )
        shape = geometry(page)
        rects: list[Rect] = []
        for start, end in spans:
            for line in _lines(textpage, text, start, end):
                rect = shape.shown(_padded(line))
                if rect[2] > rect[0] and rect[3] > rect[1] and rect not in rects:
                    rects.append(rect)
        return rects
    finally:
        textpage.close()


def _wrap_after_hyphen(text: str, index: int) -> bool:
    """Whether text[index] is part of a line break that follows a hyphen."""
    if text[index] not in _LINE_BREAKS:
        return False
    before = index
    while before > 0 and text[before - 1] in _LINE_BREAKS:
        before -= 1
    return before > 0 and text[before - 1] == "-"


def _char(textpage: pdfium.PdfTextPage, index: int) -> str:
    code = pdfium_c.FPDFText_GetUnicode(textpage, index)
    try:
        return chr(code) if code else "\ufffd"
    except (ValueError, OverflowError):
        return "\ufffd"


def _lines(textpage: pdfium.PdfTextPage, text: str, start: int, end: int) -> Iterator[Rect]:
    """The union of the characters' boxes (user space) in text[start:end], one per line: a
    new line begins at a line break, or where a character does not follow the last one
    along a line (across, or down for text turned in the page's own space)."""
    current: Rect | None = None
    last: Rect | None = None
    for index in range(start, end):
        if text[index] in _LINE_BREAKS:
            if current is not None:
                yield current
            current = last = None
            continue
        if text[index].isspace() or pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            continue  # a space has no ink, and a space PDFium made up has no place
        try:
            box = textpage.get_charbox(index, loose=True)
        except pdfium.PdfiumError:
            continue
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        if current is not None and text[index - 1] == _END_OF_LINE_HYPHEN:
            yield current
            current = None
        if current is None or last is None or not _follows(last, box):
            if current is not None:
                yield current
            current = box
        else:
            current = (
                min(current[0], box[0]),
                min(current[1], box[1]),
                max(current[2], box[2]),
                max(current[3], box[3]),
            )
        last = box
    if current is not None:
        yield current


def _follows(last: Rect, box: Rect) -> bool:
    """Whether `box` is on the same line as `last` (both in user space): they share at least
    half the smaller one's height (a line across) or width (a line turned a quarter)."""
    across = min(last[3], box[3]) - max(last[1], box[1])
    down = min(last[2], box[2]) - max(last[0], box[0])
    return across >= 0.5 * min(last[3] - last[1], box[3] - box[1]) or down >= 0.5 * min(
        last[2] - last[0], box[2] - box[0]
    )


def _padded(rect: Rect) -> Rect:
    return (rect[0] - PADDING, rect[1], rect[2] + PADDING, rect[3])
