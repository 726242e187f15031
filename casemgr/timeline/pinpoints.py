"""Pinpoints: the pages or paragraphs of a document that prove a point. Pure: no Django.

Pages are written as a lawyer writes them, "12-14, 19" (an en dash is fine too), and kept in
that normal form; paragraphs likewise, with sub-paragraphs allowed ("4, 7(a)-9, 12.3").
"""

from __future__ import annotations

import re

MAX_PAGE = 99_999

_DASH = re.compile(r"\s*[-–—]\s*")
_PAGE = re.compile(r"\d{1,6}")
_PARAGRAPH = re.compile(r"\d{1,4}(?:\.\d{1,4})*(?:\([a-z0-9]{1,6}\))*", re.IGNORECASE)


class PinpointError(ValueError):
    """A pinpoint that cannot be read; the message says what to write instead."""


def _items(text: str) -> list[list[str]]:
    """ "12-14, 19" -> [["12", "14"], ["19"]]; empty items (a trailing comma) are skipped."""
    items = []
    for item in text.split(","):
        item = item.strip()
        if item:
            items.append(_DASH.split(item))
    return items


def page_ranges(text: str) -> list[tuple[int, int]]:
    """The pages of a pinpoint as (first, last) pairs, in the order written."""
    ranges = []
    for parts in _items(text):
        if len(parts) > 2 or not all(_PAGE.fullmatch(p) for p in parts):
            written = "-".join(parts)
            raise PinpointError(f"“{written}” is not a page or a range of pages, e.g. 12-14.")
        first, last = int(parts[0]), int(parts[-1])
        if first < 1 or last > MAX_PAGE:
            raise PinpointError(f"Pages run from 1 to {MAX_PAGE:,}.")
        if last < first:
            raise PinpointError(f"“{first}-{last}” runs backwards: write {last}-{first}.")
        ranges.append((first, last))
    return ranges


def normalise_pages(text: str) -> str:
    """ "12 – 14,19" -> "12-14, 19"; raises PinpointError if it cannot be read."""
    return ", ".join(
        str(first) if first == last else f"{first}-{last}" for first, last in page_ranges(text)
    )


def last_page(text: str) -> int | None:
    return max((last for _, last in page_ranges(text)), default=None)


def first_page(text: str) -> int | None:
    """The page a preview should open at: the first one cited."""
    ranges = page_ranges(text)
    return ranges[0][0] if ranges else None


def normalise_paragraphs(text: str) -> str:
    """ "4,7(a) – 9" -> "4, 7(a)-9"; raises PinpointError if it cannot be read."""
    items = []
    for parts in _items(text):
        if len(parts) > 2 or not all(_PARAGRAPH.fullmatch(p) for p in parts):
            written = "-".join(parts)
            raise PinpointError(
                f"“{written}” is not a paragraph or a range of paragraphs, e.g. 4, 7(a)-9."
            )
        items.append("-".join(p.lower() for p in parts))
    return ", ".join(items)


def describe(pages: str, paragraphs: str) -> str:
    """ "pp. 12–14, 19; para 4" as a court document cites it; "" for the whole document."""
    cited = []
    if pages:
        several = "," in pages or "-" in pages
        cited.append(("pp. " if several else "p. ") + pages.replace("-", "–"))
    if paragraphs:
        several = "," in paragraphs or "-" in paragraphs
        cited.append(("paras " if several else "para ") + paragraphs.replace("-", "–"))
    return "; ".join(cited)
