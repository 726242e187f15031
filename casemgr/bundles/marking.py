"""What the builder adds to the assembled pages: the page number stamped on every page, page
labels, the index's links, the bookmarks; and the final check that all of them are there.

A page number is a few bytes of content stream per page, appended after the page's own
content, which is wrapped in q/Q so that nothing it leaves in the graphics state (a moved
origin, a white fill colour, a clip) can move or hide the number. Nothing is re-rendered
and no page is overlaid, so text stays searchable and a 10,000-page bundle costs seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from casemgr.bundles import builder

FONT = "/CMBundleNo"  # a name no ordinary PDF uses for a font of its own
MARKER = b"/CMBundleNo"
STAMP_SIZE = 10  # points
STAMP_RIGHT = 24  # points from the right edge of the page as viewed to the end of the number
STAMP_BOTTOM = 16  # points from the bottom edge as viewed to the baseline
PROGRESS_EVERY = 50  # pages
DEFAULT_BOX = (0.0, 0.0, 595.28, 841.89)  # A4, for a page that has no valid /MediaBox

# Widths of Helvetica's digits and capitals (Adobe's AFM, thousandths of the font size):
# page numbers are only ever digits with capital letter suffixes.
_HELVETICA = dict.fromkeys("0123456789", 556) | dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833)
        + (722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611),
        strict=True,
    )
)
# Where the viewed page's origin is and where its axes point in the page's own space, for
# each /Rotate (clockwise): (a b c d) of the matrix, and which corner of the box is the origin.
_TURNS = {
    0: ((1, 0, 0, 1), ("left", "bottom")),
    90: ((0, 1, -1, 0), ("right", "bottom")),
    180: ((-1, 0, 0, -1), ("right", "top")),
    270: ((0, -1, 1, 0), ("left", "top")),
}
_PAGE_IN_TITLE = re.compile(r"\(p\. ([0-9A-Z]+)\)$")

# (title, page index, children): a bookmark and those nested under it
Outline = Sequence[tuple[str, int, "Outline"]]


def mark(
    pdf: pikepdf.Pdf,
    *,
    title: str,
    runs: Sequence[builder.Run],
    outline: Outline,
    links: dict[str, builder.Run],
    progress: builder.Progress | None = None,
) -> list[tuple[str, str]]:
    """Stamp, label, link and bookmark the assembled `pdf`, whose pages are `runs`. The
    index's links are drawn to `#anchor` destinations; `links` says where each
    goes. Returns the (document key, page label) of the pages that look scanned: images
    and no fonts."""
    pages = [page.obj for page in pdf.pages]
    total = len(pages)
    font = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            Encoding=Name.WinAnsiEncoding,
        )
    )
    opening = pdf.make_stream(b"q\n")
    scanned = []
    done = 0
    for run in runs:
        for offset, label in enumerate(run.labels):
            page = pages[run.first + offset]
            if run.kind == "document" and _looks_scanned(page):  # before the stamp adds a font
                scanned.append((run.key, label))
            _stamp(pdf, page, label, font, opening)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)

    index = next(run for run in runs if run.kind == "index")
    for page in pages[index.first : index.first + len(index.labels)]:
        _link(page, pages, links)
    pdf.Root.PageLabels = Dictionary(
        Nums=_page_labels([label for run in runs for label in run.labels])
    )
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    outlines.Count = _add_bookmarks(pdf, outlines, outline, pages)
    pdf.Root.Outlines = outlines
    pdf.Root.PageMode = Name.UseOutlines
    # Opens on the cover at 100%, as the guidance asks, whatever the reader last used.
    pdf.Root.OpenAction = Array([pages[0], Name.XYZ, None, None, 1])
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pdf.docinfo[Name.Title] = String(title)
    if progress is not None:
        progress(total, total)
    return scanned


def problem(pdf: pikepdf.Pdf, page_count: int, runs: Sequence[builder.Run]) -> str | None:
    """What is wrong with the bundle `pdf`, which should hold `runs`, or None."""
    pages = [page.obj for page in pdf.pages]
    if len(pages) != page_count:
        return f"it has {len(pages)} pages instead of {page_count}."
    labels: list[str] = []
    for run in runs:
        if run.first != len(labels):
            return f'"{run.title}" is not where the build put it.'
        labels.extend(run.labels)
    if len(labels) != page_count:
        return f"its runs cover {len(labels)} pages instead of {page_count}."

    if "/PageLabels" not in pdf.Root:
        return "it has no page labels."
    for number, (page, label) in enumerate(zip(pdf.pages, labels, strict=True), 1):
        if page.label != label:
            return f'page {number} is labelled "{page.label}" instead of "{label}".'
    for number, (page, label) in enumerate(zip(pages, labels, strict=True), 1):
        if not _stamped(page, label):
            return f'page {number} does not carry its number "{label}".'

    position = {page.objgen: number for number, page in enumerate(pages)}
    firsts = {run.key: run.first for run in runs if run.kind == "document"}
    index = next(run for run in runs if run.kind == "index")
    linked = set()
    for page in pages[index.first : index.first + len(index.labels)]:
        annotations = page.get("/Annots")
        for annotation in annotations if isinstance(annotations, Array) else ():
            if annotation.get("/Subtype") != Name.Link:
                continue
            key = str(annotation.get("/NM", ""))
            target = _destination(annotation, position)
            if target is None or firsts.get(key) != target:
                return f'an index link for "{key}" does not point at its first page.'
            linked.add(key)
    if missing := set(firsts) - linked:
        return f"the index has no link for {sorted(missing)[0]!r}."
    return _bookmark_problem(pdf, position, labels, sorted(firsts.values()))


# Page numbers


def _stamp(
    pdf: pikepdf.Pdf, page: Dictionary, label: str, font: Dictionary, opening: pikepdf.Stream
) -> None:
    resources = page.get("/Resources")
    if not isinstance(resources, Dictionary):
        page.Resources = Dictionary(Font=Dictionary({FONT: font}))
    elif not isinstance(fonts := resources.get("/Font"), Dictionary):
        resources.Font = Dictionary({FONT: font})
    else:  # possibly shared with other pages: the same entry for all of them
        fonts[FONT] = font
    contents = page.get("/Contents")
    if isinstance(contents, Array):
        parts = list(contents)
    else:
        parts = [] if contents is None else [contents]
    page.Contents = Array([opening, *parts, pdf.make_stream(_stamp_content(page, label))])


def _stamp_content(page: Dictionary, label: str) -> bytes:
    """Content drawing `label` bottom right of the page as it is viewed: upright, whatever
    its /Rotate, within its crop box wherever that box's origin is."""
    left, bottom, right, top = _visible_box(page)
    rotate = _rotation(page)
    (a, b, c, d), (x_edge, y_edge) = _TURNS[rotate]
    edges = {"left": left, "right": right, "bottom": bottom, "top": top}
    across = right - left if rotate in (0, 180) else top - bottom
    width = sum(_HELVETICA[char] for char in label) * STAMP_SIZE / 1000
    x = max(across - STAMP_RIGHT - width, 4)
    y = STAMP_BOTTOM
    return (
        f"Q\nq {a} {b} {c} {d} {_n(edges[x_edge])} {_n(edges[y_edge])} cm "
        f"1 g {_n(x - 2)} {_n(y - 2.5)} {_n(width + 4)} {STAMP_SIZE + 2} re f "
        f"0 g BT /CMBundleNo {STAMP_SIZE} Tf {_n(x)} {_n(y)} Td ({label}) Tj ET Q\n"
    ).encode("ascii")


def _visible_box(page: Dictionary) -> tuple[float, float, float, float]:
    media = _box(page.get("/MediaBox")) or DEFAULT_BOX
    crop = _box(page.get("/CropBox"))
    if crop is None:
        return media
    # A viewer shows the crop box clipped to the media box.
    left, bottom = max(crop[0], media[0]), max(crop[1], media[1])
    right, top = min(crop[2], media[2]), min(crop[3], media[3])
    return (left, bottom, right, top) if left < right and bottom < top else media


def _box(value: object) -> tuple[float, float, float, float] | None:
    if not isinstance(value, Array) or len(value) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(number) for number in value)
    except (TypeError, ValueError):
        return None
    if x1 == x2 or y1 == y2:
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _rotation(page: Dictionary) -> int:
    try:
        rotate = int(page.get("/Rotate", 0)) % 360
    except (TypeError, ValueError):
        return 0
    return rotate if rotate in _TURNS else 0  # viewers ignore a /Rotate not a multiple of 90


def _n(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _looks_scanned(page: Dictionary) -> bool:
    """Images and no fonts, on the page or in the forms it draws: a scan without a text
    layer. Judged from the resources alone, since parsing every content stream of a large
    bundle would take longer than building it."""
    resources = page.get("/Resources")
    if not isinstance(resources, Dictionary) or _has_fonts(resources):
        return False
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, Dictionary):
        return False
    images = False
    for _, xobject in xobjects.items():
        if not isinstance(xobject, pikepdf.Stream):
            continue
        subtype = xobject.get("/Subtype")
        if subtype == Name.Image:
            images = True
        elif subtype == Name.Form and _has_fonts(xobject.get("/Resources")):
            return False
    return images


def _has_fonts(resources: object) -> bool:
    fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
    return isinstance(fonts, Dictionary) and len(fonts) > 0


def _stamped(page: Dictionary, label: str) -> bool:
    contents = page.get("/Contents")
    last = contents[len(contents) - 1] if isinstance(contents, Array) and contents else contents
    if not isinstance(last, pikepdf.Stream):
        return False
    resources = page.get("/Resources")
    fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
    if not isinstance(fonts, Dictionary) or FONT not in fonts:
        return False
    try:
        data = last.read_bytes()
    except pikepdf.PdfError:
        return False
    return MARKER in data and f"({label}) Tj".encode("ascii") in data


# Page labels, links and bookmarks


def _page_labels(labels: Sequence[str]) -> Array:
    """The /Nums of a /PageLabels number tree: one decimal range per run of consecutive
    numbers, and a prefix-only label for each lettered page (45A), which has no style."""
    nums: list[object] = []
    expected = None
    for number, label in enumerate(labels):
        value = int(label) if label.isdigit() else None
        if value is not None and value == expected:
            expected += 1
            continue
        if value is not None and value >= 1:
            nums += [number, Dictionary(S=Name.D, St=value)]
            expected = value + 1
        else:
            nums += [number, Dictionary(P=String(label))]
            expected = None
    return Array(nums)


def _link(page: Dictionary, pages: list[Dictionary], links: dict[str, builder.Run]) -> None:
    """Point the index links on `page`, drawn to `#anchor` destinations, at their
    documents' first pages."""
    annotations = page.get("/Annots")
    for annotation in annotations if isinstance(annotations, Array) else ():
        destination = annotation.get("/Dest")
        run = links.get(str(destination)) if isinstance(destination, String) else None
        if annotation.get("/Subtype") == Name.Link and run is not None:
            annotation.Dest = Array([pages[run.first], Name.XYZ, None, None, None])
            annotation.NM = String(run.key)  # names the link's document, for the check


def _add_bookmarks(
    pdf: pikepdf.Pdf, parent: Dictionary, outline: Outline, pages: list[Dictionary]
) -> int:
    """Add `outline` under `parent`, all open; return how many bookmarks that shows."""
    items = []
    shown = 0
    for title, page, children in outline:
        item = pdf.make_indirect(
            Dictionary(
                Title=String(title),
                Parent=parent,
                Dest=Array([pages[page], Name.XYZ, None, None, None]),
            )
        )
        if children:
            item.Count = _add_bookmarks(pdf, item, children, pages)
            shown += item.Count
        items.append(item)
    for before, after in zip(items, items[1:], strict=False):
        before.Next, after.Prev = after, before
    if items:
        parent.First, parent.Last = items[0], items[-1]
    return shown + len(items)


def _destination(item: Dictionary, position: dict[tuple[int, int], int]) -> int | None:
    """The index of the page a link or bookmark goes to, or None if not a page of this file."""
    destination = item.get("/Dest")
    action = item.get("/A")
    if destination is None and isinstance(action, Dictionary) and action.get("/S") == Name.GoTo:
        destination = action.get("/D")
    if not isinstance(destination, Array) or len(destination) == 0:
        return None
    page = destination[0]
    if not isinstance(page, Dictionary) or not page.is_indirect:
        return None
    return position.get(page.objgen)


def _bookmark_problem(
    pdf: pikepdf.Pdf, position: dict[tuple[int, int], int], labels: list[str], firsts: list[int]
) -> str | None:
    outlines = pdf.Root.get("/Outlines")
    if not isinstance(outlines, Dictionary):
        return "it has no bookmarks."
    seen = set()
    documents = []
    waiting = [outlines.get("/First")]
    while waiting:
        item = waiting.pop()
        if not isinstance(item, Dictionary):
            continue
        if item.objgen in seen:
            return "its bookmarks go round in a loop."
        seen.add(item.objgen)
        title = str(item.get("/Title", ""))
        target = _destination(item, position)
        if target is None:
            return f'the bookmark "{title}" does not point at a page of the file.'
        if page := _PAGE_IN_TITLE.search(title):
            if labels[target] != page[1]:
                return f'the bookmark "{title}" points at page {labels[target]}.'
            documents.append(target)
        waiting += [item.get("/Next"), item.get("/First")]
    if sorted(documents) != firsts:
        return "there is not exactly one bookmark at the start of each document."
    return None
