"""Where each part of a bundle's index goes: its pages, worked out here before anything is
laid out. Pure: no WeasyPrint, no Django.

Every part of the index has a height fixed in advance, whatever its text: the title, a
section's heading (at most two lines), the column headers, a row (at most two lines of each
column; a longer title ends in an ellipsis) and a section's "No documents" line. So the index's
length is known before it is laid out, and the documents' page numbers with it (they follow
the index); the front matter is laid out once; and each index page is a block of its own
that fits its page, so WeasyPrint never has to break a long table across pages (it walked
every row of the table again for each page), and the index is never laid out a second time
because a guess at its length was wrong (see benchmarks/README.md, court bundles).

The heights are in points. The stylesheet's rules that fix them are made from these numbers
(`stylesheet()`), so the two cannot disagree; tests/bundles/test_index.py checks what
WeasyPrint lays out against them.
"""

from __future__ import annotations

from dataclasses import dataclass

from casemgr.bundles import numbering

# The page's height inside front.css's margins (A4's 297 mm less 20 mm and 24 mm), less a
# point so that rounding in the layout never pushes the last row over.
PAGE = (297 - 20 - 24) / 25.4 * 72 - 1
TITLE = 24.0  # "Index", one line of 16 pt
HEADING = 50.0  # space above, then a section's heading: up to two lines of 11 pt
HEADING_LINES = 2
HEAD = 18.0  # the column headers, one line of bold 9.5 pt over a rule
ROW = 30.0  # a document: up to two lines of 9.5 pt (25.65 pt) and its padding and rule
ROW_LINES = 2
EMPTY = 20.0  # "No documents in this section.", or "No documents." in an empty bundle


@dataclass(frozen=True)
class Part:
    """A block of an index page: "title", "heading" (of `group`), "head" (the column
    headers), "row" (the document at `position` in the items), "empty" (a section with
    no documents, `group`) or "none" (no sections at all)."""

    kind: str
    group: numbering.Heading | None = None
    position: int = 0


HEIGHTS = {
    "title": TITLE,
    "heading": HEADING,
    "head": HEAD,
    "row": ROW,
    "empty": EMPTY,
    "none": EMPTY,
}


def paginate(groups: list[numbering.Heading]) -> list[list[Part]]:
    """The index's pages, each a list of parts that fits it. A heading is kept with the
    column headers and first row of its section (or its "No documents" line); a section
    that goes on over a page starts the new page with its column headers again."""
    pages: list[list[Part]] = [[Part("title")]]
    room = PAGE - TITLE

    def place(*parts: Part) -> None:
        nonlocal room
        height = sum(HEIGHTS[part.kind] for part in parts)
        if height > room:
            pages.append([])
            room = PAGE
        pages[-1].extend(parts)
        room -= height

    if not groups:
        place(Part("none"))
    for group in groups:
        if not group.entries:
            place(Part("heading", group), Part("empty", group))
            continue
        first, *rest = group.entries
        place(Part("heading", group), Part("head"), Part("row", position=first))
        for position in rest:
            row = Part("row", position=position)
            if ROW > room:  # the section goes on over the page, under its column headers
                place(Part("head"), row)
            else:
                place(row)
    return pages


def stylesheet() -> str:
    """The rules that give the index's parts their heights (front.css has the rest): a
    fixed height, and what does not fit it cut, so that no text can make a part taller
    than its page was planned for."""
    return f"""
.index h1 {{ height: {TITLE}pt; }}
.index h2 {{ height: {HEADING}pt; line-clamp: {HEADING_LINES}; }}
.index .head {{ height: {HEAD}pt; }}
.index .entry {{ height: {ROW}pt; }}
.index .entry span {{ line-clamp: {ROW_LINES}; }}
.index .empty {{ height: {EMPTY}pt; }}
"""
