"""The cover, the index and the dividers of a bundle, in PDFs whose pages the builder places
in the bundle.

All of it is laid out by WeasyPrint from templates/bundles/pdf, in two documents at once:
the cover and the first half of the index (a block per page), then the rest of the index,
each divider and a blank page. Titles come from users and
from file names, so every string is escaped before it goes into the HTML, and WeasyPrint's
URL fetcher refuses every URL (as for evidence renditions).

The index is paginated before it is laid out (bundles/index.py): its parts have fixed
heights, so its length, and with it every document's page numbers, is known first, the
front matter is laid out once, and its halves can be laid out apart. Each row is a link to
`#run-N`, N the position of its document in the items, and is that anchor itself, so that
WeasyPrint keeps the link; the builder points the link at that document's first page once
the bundle is assembled.
"""

from __future__ import annotations

import dataclasses
import gc
import html
import re
import string
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML

from casemgr.bundles import builder, index, numbering
from casemgr.core import layout
from casemgr.core.text import breakable

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "bundles" / "pdf"
TEXT_LIMIT = 300  # characters of a title shown; a cover, a divider or an index row fits a page
# Parties named on one side of the cover: past this, the first few and "and N others", as a
# short title says it, so that the cover still fits its page.
SIDE_NAMES = 6
# One layout of the cover and index that takes longer than this is stopped, and the build
# fails saying so, rather than hold a worker (an index of a few thousand rows takes seconds).
LAYOUT_SECONDS = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A late document's row says "(added in version N)" after its title; the title is cut to
# about this many characters (a wide one counting two) so that the note stays in the row's
# two lines. The whole title is in the document's bookmark.
LATE_TITLE = 40


@dataclass(frozen=True)
class Front:
    pdfs: tuple[bytes, ...]  # in order; the page numbers below count across them, from 1
    index_pages: int  # pages the index itself fills (the plan's labels may add blank pages)
    index_first: int  # its first page (the cover is page 1)
    divider_pages: dict[str, int]  # divider key -> its page
    blank_page: int  # a page saying "This page is intentionally left blank"


@dataclass(frozen=True)
class Plan:
    """The index's pages, worked out before anything is laid out, and the page numbers
    that follow from them."""

    pages: list[list[index.Part]]
    index_labels: tuple[str, ...]  # the index's page numbers, blank pages included


def plan(spec: builder.Spec, items: list[numbering.Item], groups: list[numbering.Heading]) -> Plan:
    """Paginate the index and number `items` (their labels are set): every page number of
    the bundle is known here, before the front matter is laid out."""
    pages = index.paginate(groups)
    return Plan(pages=pages, index_labels=numbering.number(items, len(pages), spec.served))


def lay_out(
    spec: builder.Spec, items: list[numbering.Item], groups: list[numbering.Heading]
) -> Front:
    """The front matter of the bundle, numbering `items` (their labels are set) on the way."""
    return render(spec, items, plan(spec, items, groups))


def render(spec: builder.Spec, items: list[numbering.Item], planned: Plan) -> Front:
    """The front matter laid out as `planned`. Touches nothing of `items`, so that it can
    run beside the assembly of the documents (builder.build)."""
    pages = planned.pages
    pdfs, where = _render(spec, items, pages)
    if where["after-index"] - where["index"] != len(pages):
        raise builder.BundleError(
            f"The index took {where['after-index'] - where['index']} pages where "
            f"{len(pages)} were planned, so its page numbers would be wrong. This is a fault "
            "in casemgr: please report it."
        )
    return Front(
        pdfs=pdfs,
        index_pages=len(pages),
        index_first=where["index"],
        divider_pages={item.key: where[item.key] for item in items if item.kind == "divider"},
        blank_page=where["blank"],
    )


def _render(
    spec: builder.Spec, items: list[numbering.Item], pages: list[list[index.Part]]
) -> tuple[tuple[bytes, ...], dict[str, int]]:
    """The laid-out parts and the page of each part of the front matter, from 1 and counted
    across the parts in order: "index", each divider by its key, "blank", and
    "after-index", the first page after the index."""
    dividers = [(n, item) for n, item in enumerate(items) if item.kind == "divider"]
    # WeasyPrint lays out on one core, and the index is most of its work (a few milliseconds
    # a row); its pages are all planned, so the two halves are laid out at once, each in a
    # layout process of its own.
    half = (len(pages) + 1) // 2
    first = [
        _cover(spec),
        f'<section class="index" id="index">{_index(items, pages[:half])}</section>',
    ]
    second = (
        [f'<section class="index">{_index(items, pages[half:])}</section>'] if pages[half:] else []
    )
    second += [
        f'<section class="divider" id="divider-{n}"><h1>{_e(_divider_title(item))}</h1></section>'
        for n, item in dividers
    ]
    second.append(
        '<section class="blank" id="blank"><p>This page is intentionally left blank</p></section>'
    )
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(lambda body: _lay_out(spec, "\n".join(body)), (first, second)))
    found: dict[str, int] = {}
    before = 0
    for _, count, anchors in parts:
        for anchor, page in anchors.items():
            found.setdefault(anchor, before + page)
        before += count
    single = [found[f"divider-{n}"] for n, _ in dividers] + [found["blank"]]
    after = found["blank"] - len(dividers)
    if found["index"] != 2 or single != list(range(after, after + len(single))):
        raise builder.BundleError(
            "The cover or a divider does not fit on one page. Shorten the bundle's title, the "
            "case name, the parties' names, the hearing's title or the section's title."
        )
    where = {item.key: found[f"divider-{n}"] for n, item in dividers}
    where |= {"index": 2, "after-index": after, "blank": found["blank"]}
    return tuple(pdf for pdf, _, _ in parts), where


def _cover(spec: builder.Spec) -> str:
    return _template("cover.html").substitute(
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
        edition=f'<p class="edition">{_e(spec.edition)}</p>' if spec.edition else "",
        prepared_on=_e(f"Prepared on {spec.prepared_on}") if spec.prepared_on else "",
    )


def _lay_out(spec: builder.Spec, body: str) -> tuple[bytes, int, dict[str, int]]:
    document = _template("front.html").substitute(title=_e(spec.title), body=body)
    try:
        return layout.within(LAYOUT_SECONDS, _lay_out_pages, document, _stylesheet())
    except layout.LayoutFailed as error:
        raise builder.BundleError(
            f"The cover and index could not be made: {error} Move some of its documents "
            "into a second bundle and build again."
        ) from None


def _lay_out_pages(document: str, stylesheet: str) -> tuple[bytes, int, dict[str, int]]:
    """The PDF, its number of pages, and the page (from 1) where each anchor first appears.
    Runs in a layout child process (core.layout), so it takes and gives plain values only."""
    # Every box of the layout lives until it ends, and Python's full collections walk them
    # all again and again: a third of the time of an index of 3,000 rows, a share growing
    # with its length. The child ends with the layout, so they are made rare, not stopped.
    gc.set_threshold(200_000, 10, 10)
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
    return laid_out.write_pdf(), len(laid_out.pages), pages


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


_COLUMNS = '<span class="tab">{}</span><span class="title">{}</span><span class="date">{}</span>'
_COLUMNS += '<span class="reference">{}</span><span class="pages">{}</span>'


def _index(items: list[numbering.Item], pages: list[list[index.Part]]) -> str:
    """The index's pages as planned (index.paginate), a block each."""
    return "\n".join(
        '<div class="index-page">' + "".join(_part(part, items) for part in page) + "</div>"
        for page in pages
    )


def _part(part: index.Part, items: list[numbering.Item]) -> str:
    if part.kind == "title":
        return "<h1>Index</h1>"
    if part.kind == "heading":
        return f"<h2>{_e(part.group.title)}</h2>"
    if part.kind == "head":
        columns = _COLUMNS.format("Tab", "Document", "Date", "Exhibit", "Pages")
        return f'<div class="head">{columns}</div>'
    if part.kind == "empty":
        return '<p class="empty">No documents in this section.</p>'
    if part.kind == "none":
        return '<p class="empty">No documents.</p>'
    n, item = part.position, items[part.position]
    # A title longer than the row's two lines ends in an ellipsis (text with no word breaks,
    # Chinese for one, is cut at the column's edge instead); the document's bookmark carries
    # it whole, with the same tab and first page, so the row still names it. A long unbroken
    # run gets break points, so that its ellipsis has a place to go.
    cells = (item.tab, breakable(_entry_title(item)), item.date, item.reference)
    return (
        f'<a class="entry" id="run-{n}" href="#run-{n}">'
        + _COLUMNS.format(*(_e(cell) for cell in cells), _e(numbering.page_range(item.labels)))
        + "</a>"
    )


def _entry_title(item: numbering.Item) -> str:
    """The row's title; a late document's cut short enough to leave room for its note."""
    if not item.late:
        return item.entry_title
    width = 0
    for position, character in enumerate(item.title):
        width += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if width > LATE_TITLE:
            title = item.title[:position].rstrip() + "…"
            return dataclasses.replace(item, title=title).entry_title
    return item.entry_title


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
def _template(name: str) -> string.Template:
    return string.Template((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


@cache
def _stylesheet() -> str:
    return (TEMPLATE_DIR / "front.css").read_text(encoding="utf-8") + index.stylesheet()
