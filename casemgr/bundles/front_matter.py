"""The cover, the index and the dividers of a bundle, in one PDF whose pages the builder
places in the bundle.

All of it is laid out by WeasyPrint in one document, from templates/bundles/pdf: the cover,
the index (a table per section), each divider and a blank page. Titles come from users and
from file names, so every string is escaped before it goes into the HTML, and WeasyPrint's
URL fetcher refuses every URL (as for evidence renditions).

The index's page ranges wait for its length, which only the layout gives: so it is laid out
with the numbers that follow from a guess of its length, and again, once, only when the
guess was wrong and the numbers change with it (the rows' heights do not: the page range's
column is fixed and never wraps). Each row is a link to `#run-N`, N the position of its
document in the items, and is that anchor itself, so that WeasyPrint keeps the link; the
builder points the link at that document's first page once the bundle is assembled.
"""

from __future__ import annotations

import html
import math
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML

from casemgr.bundles import builder, numbering
from casemgr.core import layout

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "bundles" / "pdf"
TEXT_LIMIT = 300  # characters of a title shown; a cover, a divider or an index row fits a page
# Parties named on one side of the cover: past this, the first few and "and N others", as a
# short title says it, so that the cover still fits its page.
SIDE_NAMES = 6
LAYOUTS = 3  # at most: the guess, the index's real length, and a margin for surprises
# One layout of the cover and index that takes longer than this is stopped, and the build
# fails saying so, rather than hold a worker (an index of a few thousand rows takes seconds).
LAYOUT_SECONDS = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# For the guess at the index's length, front.css's measures in points: the page's height
# inside its margins, the index's title, a section's heading, the table's header, a line
# of index text and what a row adds to its lines; and the characters that fit a line of
# each column (fewer than it holds: lines break between words).
_PAGE = 253 / 25.4 * 72
_TITLE = 16 * 1.35
_HEADING = 11 * 1.35 + 8 / 25.4 * 72
_HEADER = 9.5 * 1.35 + 3.8
_LINE = 9.5 * 1.35
_ROW = 3.4
_CHARACTERS = (6, 43, 18, 11)  # tab, title, date, reference


@dataclass(frozen=True)
class Front:
    pdf: bytes
    index_labels: tuple[str, ...]  # the index's page numbers, blank pages included
    index_pages: int  # pages the index itself fills
    index_first: int  # its first page in `pdf`, from 1 (the cover is page 1)
    divider_pages: dict[str, int]  # divider key -> its page in `pdf`
    blank_page: int  # a page saying "This page is intentionally left blank"

    @property
    def padding(self) -> int:
        """Blank pages after the index that keep a served index's numbers when it has
        grown shorter."""
        return len(self.index_labels) - self.index_pages


def lay_out(
    spec: builder.Spec, items: list[numbering.Item], groups: list[numbering.Heading]
) -> Front:
    """The front matter of the bundle, numbering `items` (their labels are set) on the way."""
    guess = _guess(spec, items, groups)
    index_labels = numbering.number(items, guess, spec.served)
    for _ in range(LAYOUTS):
        shown = [item.labels for item in items]
        pdf, where = _render(spec, items, groups)
        index_pages = where["after-index"] - where["index"]
        index_labels = numbering.number(items, index_pages, spec.served)
        if [item.labels for item in items] == shown:
            return Front(
                pdf=pdf,
                index_labels=index_labels,
                index_pages=index_pages,
                index_first=where["index"],
                divider_pages={
                    item.key: where[item.key] for item in items if item.kind == "divider"
                },
                blank_page=where["blank"],
            )
    raise builder.BundleError("The index could not be laid out. Build the bundle again.")


def _render(
    spec: builder.Spec, items: list[numbering.Item], groups: list[numbering.Heading]
) -> tuple[bytes, dict[str, int]]:
    """The laid-out PDF and the page (from 1) of each part: "index", each divider by its
    key, "blank", and "after-index", the first page after the index."""
    dividers = [(n, item) for n, item in enumerate(items) if item.kind == "divider"]
    document = _template().substitute(
        title=_e(spec.title),
        claim_number=(
            _e(f"{spec.claim_number_label} {spec.claim_number}".strip())
            if spec.claim_number
            else ""
        ),
        court="".join(
            f'<p class="{name}">{_e(text)}</p>'
            for name, text in (("court-name", spec.court), ("division", spec.division))
            if text
        ),
        parties=_parties(spec),
        letter=_e(f"Bundle {spec.letter}") if spec.letter else "",
        hearing="".join(
            f'<p class="{name}">{_e(text)}</p>'
            for name, text in (("hearing", spec.hearing), ("hearing-at", spec.hearing_at))
            if text
        ),
        version=int(spec.version),
        prepared_on=_e(f"Prepared on {spec.prepared_on}") if spec.prepared_on else "",
        index=_index(items, groups),
        dividers="\n".join(
            f'<section class="divider" id="divider-{n}"><h1>{_e(_divider_title(item))}</h1>'
            "</section>"
            for n, item in dividers
        ),
    )
    try:
        pdf, pages = layout.within(LAYOUT_SECONDS, _lay_out_pages, document, _stylesheet())
    except layout.LayoutFailed as error:
        raise builder.BundleError(
            f"The cover and index could not be made: {error} Move some of its documents "
            "into a second bundle and build again."
        ) from None
    single = [pages[f"divider-{n}"] for n, _ in dividers] + [pages["blank"]]
    after = pages["blank"] - len(dividers)
    if pages["index"] != 2 or single != list(range(after, after + len(single))):
        raise builder.BundleError(
            "The cover or a divider does not fit on one page. Shorten the bundle's title, the "
            "case name, the parties' names, the hearing's title or the section's title."
        )
    where = {item.key: pages[f"divider-{n}"] for n, item in dividers}
    where |= {"index": 2, "after-index": after, "blank": pages["blank"]}
    return pdf, where


def _lay_out_pages(document: str, stylesheet: str) -> tuple[bytes, dict[str, int]]:
    """The PDF, and the page (from 1) where each anchor first appears. Runs in a layout
    child process (core.layout), so it takes and gives plain values only."""
    fetcher = layout.RefusingURLFetcher()
    css = CSS(string=stylesheet, base_url=None, url_fetcher=fetcher)
    laid_out = HTML(string=document, base_url=None, url_fetcher=fetcher).render(stylesheets=[css])
    pages: dict[str, int] = {}
    for number, page in enumerate(laid_out.pages, 1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
        # A row's link is inherited by its cells; one link per row, the row's, is enough.
        page.links[:] = [
            (kind, target, rectangle, box)
            for kind, target, rectangle, box in page.links
            if box.element_tag == "a"
        ]
    return laid_out.write_pdf(), pages


def _parties(spec: builder.Spec) -> str:
    """The parties as a court cover sheet names them: "Between:", each side's parties
    (numbered when several) over its role, the sides joined by "– and –". With none known,
    the case name stands in for them."""
    sides = [side for side in spec.sides if side.names]
    if not sides:
        return f'<p class="case-name">{_e(spec.case_name)}</p>' if spec.case_name else ""
    blocks = []
    for side in sides:
        names = list(side.names)
        if len(names) > SIDE_NAMES:
            names = names[: SIDE_NAMES - 1]
        lines = [
            f"({n}) {name}" if len(side.names) > 1 else name for n, name in enumerate(names, 1)
        ]
        if len(names) < len(side.names):
            lines.append(f"and {len(side.names) - len(names)} others")
        blocks.append(
            '<div class="side">'
            + "".join(f'<p class="name">{_e(line)}</p>' for line in lines)
            + f'<p class="role">{_e(side.role)}</p></div>'
        )
    return (
        '<div class="parties"><p class="between">Between:</p>'
        + '<p class="and">– and –</p>'.join(blocks)
        + "</div>"
    )


def _index(items: list[numbering.Item], groups: list[numbering.Heading]) -> str:
    if not groups:
        return '<p class="empty">No documents.</p>'
    parts = []
    for group in groups:
        parts.append(f'<section class="group"><h2>{_e(group.title)}</h2>')
        if not group.entries:
            parts.append('<p class="empty">No documents in this section.</p></section>')
            continue
        parts.append(
            '<div class="entries"><div class="columns"><span class="tab"></span><span></span>'
            '<span class="date"></span><span class="reference"></span><span class="pages">'
            '</span></div><div class="head"><span>Tab</span><span>Document</span><span>Date'
            '</span><span>Exhibit</span><span class="pages">Pages</span></div>'
        )
        parts.extend(
            f'<a class="entry" id="run-{n}" href="#run-{n}"><span>{_e(items[n].tab)}</span>'
            f"<span>{_e(items[n].entry_title)}</span><span>{_e(items[n].date)}</span>"
            f"<span>{_e(items[n].reference)}</span>"
            f'<span class="pages">{_e(numbering.page_range(items[n].labels))}</span></a>'
            for n in group.entries
        )
        parts.append("</div></section>")
    return "\n".join(parts)


def _guess(spec: builder.Spec, items: list[numbering.Item], groups: list[numbering.Heading]) -> int:
    """The index's length in pages: the served index's, or one from the rows' text."""
    served = (spec.served or {}).get("index_pages")
    if isinstance(served, int) and served > 0:
        return served
    pages, height = 1, _TITLE
    for group in groups:
        rows = [_height(items[n]) for n in group.entries] or [_LINE]
        if height + _HEADING + _HEADER + rows[0] > _PAGE:  # a heading stays with a row
            pages, height = pages + 1, 0.0
        height += _HEADING + _HEADER
        for row in rows:
            if height + row > _PAGE:  # rows do not split; the header is repeated
                pages, height = pages + 1, _HEADER
            height += row
    return pages


def _height(item: numbering.Item) -> float:
    """A guess at the height of `item`'s row in the index."""
    cells = (item.tab, item.entry_title[:TEXT_LIMIT], item.date, item.reference)
    lines = max(math.ceil(len(text) / fits) for text, fits in zip(cells, _CHARACTERS, strict=True))
    return max(lines, 1) * _LINE + _ROW


def _divider_title(item: numbering.Item) -> str:
    if item.key == numbering.LATE_DIVIDER:
        return numbering.LATE_TITLE
    return f"Section {item.section} — {item.title}"


def _e(value: str) -> str:
    """`value` escaped for HTML, without control characters, cut to TEXT_LIMIT."""
    value = _CONTROL.sub(" ", str(value))
    if len(value) > TEXT_LIMIT:
        value = value[: TEXT_LIMIT - 1] + "…"
    return html.escape(value, quote=True)


@cache
def _template() -> string.Template:
    return string.Template((TEMPLATE_DIR / "front.html").read_text(encoding="utf-8"))


@cache
def _stylesheet() -> str:
    return (TEMPLATE_DIR / "front.css").read_text(encoding="utf-8")
