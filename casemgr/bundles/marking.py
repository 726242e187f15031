"""What the builder adds to the assembled pages: the page number stamped on every page, page
labels, the index's links, the bookmarks; and the final check that all of them are there.

A page's own content is made a form XObject (its content stream is reused as the form, so
nothing is decoded or re-rendered) and drawn by a new content stream that then draws the
number. A form is painted in a graphics state of its own, so whatever the page leaves
behind, a moved origin, a white fill, even a `Q` more than its `q`s, cannot move or hide
the number. A document's page is drawn a little smaller, top-aligned, leaving a band at the
bottom of the page as it is viewed where the number stands alone: it never covers the
document's own footer ("CONFIDENTIAL", a page reference), as bundling tools do. The cover,
index and dividers are ours and keep that band in their margins. Text stays searchable and a
10,000-page bundle costs seconds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from casemgr.bundles import builder, geometry

FONT = "/CMBundleNo"  # a name no ordinary PDF uses for a font of its own
MARKER = b"/CMBundleNo"
PAGE_FORM = "/CMBundlePage"  # the page's own content, as a form XObject
BAND = 30  # points kept clear at the bottom of a document's page, as viewed, for its number
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


class Stamps:
    """The page numbers stamped on a bundle's pages, in as many passes as the builder
    needs (its documents' pages while its front matter is laid out, then the front
    matter's), with the pages found looking scanned or malformed on the way."""

    def __init__(self, pdf: pikepdf.Pdf, total: int, progress: builder.Progress | None) -> None:
        self.pdf = pdf
        self.total = total
        self.progress = progress
        self.font = _stamp_font(pdf)
        self.forms: dict = {}
        self.scanned: list[tuple[str, str]] = []
        self.malformed: list[int] = []
        self.done = 0

    def add(self, runs: Sequence[builder.Run], pages: Sequence[Dictionary]) -> None:
        """Stamp `runs`, whose pages are `pages`, in the same order."""
        labelled = [(run, offset, label) for run in runs for offset, label in enumerate(run.labels)]
        for (run, offset, label), page in zip(labelled, pages, strict=True):
            document = run.kind == "document"
            if document and _looks_scanned(page):  # before the stamp adds a font
                self.scanned.append((run.key, label))
            if document and _unbalanced(page):
                self.malformed.append(run.first + offset)
            _stamp(self.pdf, page, label, self.font, self.forms, frame=document)
            self.done += 1
            if self.progress is not None and self.done % PROGRESS_EVERY == 0:
                self.progress(self.done, self.total)


def stamp_labels(pdf: pikepdf.Pdf, labels: Sequence[str]) -> None:
    """Stamp `labels[n]` bottom right of page n of `pdf`, as a bundle's document pages are
    numbered (the page's content drawn a little smaller above the number, so the number
    never covers the document's own footer). For numbers given outside a bundle, such as a
    production's ("NWA000123"): digits and capital letters only, one a page."""
    if len(labels) != len(pdf.pages):
        raise ValueError(f"{len(labels)} labels for {len(pdf.pages)} pages.")
    for label in labels:
        if not label or any(char not in _HELVETICA for char in label):
            raise ValueError(f"{label!r}: a stamped label is digits and capital letters only.")
    font = _stamp_font(pdf)
    forms: dict = {}
    for page, label in zip(pdf.pages, labels, strict=True):
        _stamp(pdf, page.obj, label, font, forms, frame=True)


def mark(
    pdf: pikepdf.Pdf,
    *,
    title: str,
    runs: Sequence[builder.Run],
    outline: Outline,
    links: dict[str, builder.Run],
    progress: builder.Progress | None = None,
) -> None:
    """Label, link and bookmark the stamped `pdf`, whose pages are `runs`. The index's links
    are drawn to `#anchor` destinations; `links` says where each goes."""
    pages = [page.obj for page in pdf.pages]
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
        progress(len(pages), len(pages))


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
    # The front matter is one WeasyPrint document whose fonts all its pages share, so what
    # is missing is said of all of it.
    front = [
        pages[run.first + n]
        for run in runs
        if run.kind != "document"
        for n in range(len(run.labels))
    ]
    if missing := missing_glyphs(front):
        shown = ", ".join(f"“{char}” (U+{ord(char):04X})" for char in missing[:5])
        return (
            "the cover, index or dividers have characters that no installed font can print, "
            f"which would show as empty boxes: {shown}. Change those titles, or install a "
            "font that has them."
        )

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


def _stamp_font(pdf: pikepdf.Pdf) -> Dictionary:
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            Encoding=Name.WinAnsiEncoding,
        )
    )


def _stamp(
    pdf: pikepdf.Pdf,
    page: Dictionary,
    label: str,
    font: Dictionary,
    forms: dict,
    *,
    frame: bool,
) -> None:
    """Draw the page's own content as a form XObject (shrunk into the frame above the band
    when `frame`), then `label` bottom right."""
    box = _visible_box(page)
    rotate = _rotation(page)
    form = _as_form(pdf, page, box, forms)
    matrix = _frame_matrix(box, rotate) if frame else (1, 0, 0, 1, 0, 0)
    if frame:
        _move_annotations(page, matrix)
    page.Resources = Dictionary(
        XObject=Dictionary({PAGE_FORM: form}), Font=Dictionary({FONT: font})
    )
    drawn = f"q {' '.join(_n(v) for v in matrix)} cm {PAGE_FORM} Do Q\n".encode("ascii")
    page.Contents = pdf.make_stream(drawn + _stamp_content(box, rotate, label))


def _as_form(pdf: pikepdf.Pdf, page: Dictionary, box, forms: dict) -> pikepdf.Stream:
    """The page's content as a form XObject with the page's resources, clipped to what a
    reader sees of the page. A single content stream becomes the form itself, untouched; a
    page whose content is split over several streams has them joined first (a stream may
    end in the middle of an operator, so they can only be drawn as one)."""
    resources = page.get("/Resources")
    if not isinstance(resources, Dictionary):
        resources = Dictionary()
    elif not resources.is_indirect:
        resources = pdf.make_indirect(resources)
    contents = page.get("/Contents")
    if isinstance(contents, Array) and len(contents) == 1:
        contents = contents[0]
    stream = contents if isinstance(contents, pikepdf.Stream) else None
    if stream is not None:
        # Pages that share a content stream (a repeated blank page) share its form, unless
        # they draw it with other resources or another box.
        claimed = forms.get(stream.objgen)
        if claimed is not None and claimed != (resources.objgen, box):
            stream = None
    if stream is None:
        parts = contents if isinstance(contents, Array) else []
        data = b"\n".join(part.read_bytes() for part in parts if isinstance(part, pikepdf.Stream))
        stream = pdf.make_stream(data)
    forms[stream.objgen] = (resources.objgen, box)
    stream.Type = Name.XObject
    stream.Subtype = Name.Form
    stream.BBox = Array(box)
    stream.Resources = resources
    if "/Matrix" in stream:
        del stream["/Matrix"]
    return stream


def _frame_matrix(box, rotate: int) -> tuple[float, ...]:
    """The matrix, in the page's own space, that draws its content scaled down uniformly and
    top-aligned in the page as viewed, leaving BAND points clear at the bottom."""
    left, bottom, right, top = box
    (a, b, c, d), (x_edge, y_edge) = _TURNS[rotate]
    edges = {"left": left, "right": right, "bottom": bottom, "top": top}
    viewed = (a, b, c, d, edges[x_edge], edges[y_edge])  # viewed space -> page space
    width, height = (
        (right - left, top - bottom) if rotate in (0, 180) else (top - bottom, right - left)
    )
    scale = max(height - BAND, height / 2) / height
    shrink = (scale, 0, 0, scale, (1 - scale) * width / 2, (1 - scale) * height)
    return geometry.times(geometry.times(geometry.inverse(viewed), shrink), viewed)


def _move_annotations(page: Dictionary, matrix: Sequence[float]) -> None:
    """Keep a document's own links and notes over what they mark once its content is
    drawn smaller."""
    annotations = page.get("/Annots")
    for annotation in annotations if isinstance(annotations, Array) else ():
        if not isinstance(annotation, Dictionary):
            continue
        rect = geometry.box(annotation.get("/Rect"))
        if rect is not None:
            annotation.Rect = Array(_bounds(rect[:2], rect[2:], matrix))
        quads = annotation.get("/QuadPoints")
        if isinstance(quads, Array) and len(quads) % 2 == 0:
            try:
                points = [float(value) for value in quads]
            except (TypeError, ValueError):
                continue
            moved = []
            for x, y in zip(points[::2], points[1::2], strict=True):
                moved += geometry.apply(matrix, x, y)
            annotation.QuadPoints = Array([round(value, 2) for value in moved])


def _bounds(low, high, matrix) -> list[float]:
    corners = [geometry.apply(matrix, x, y) for x in (low[0], high[0]) for y in (low[1], high[1])]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]


def _stamp_content(box, rotate: int, label: str) -> bytes:
    """Content drawing `label` bottom right of the page as it is viewed: upright, whatever
    its /Rotate, within its crop box wherever that box's origin is."""
    left, bottom, right, top = box
    (a, b, c, d), (x_edge, y_edge) = _TURNS[rotate]
    edges = {"left": left, "right": right, "bottom": bottom, "top": top}
    across = right - left if rotate in (0, 180) else top - bottom
    width = sum(_HELVETICA[char] for char in label) * STAMP_SIZE / 1000
    x = max(across - STAMP_RIGHT - width, 4)
    return (
        f"q {a} {b} {c} {d} {_n(edges[x_edge])} {_n(edges[y_edge])} cm "
        f"0 g BT {FONT} {STAMP_SIZE} Tf {_n(x)} {STAMP_BOTTOM} Td ({label}) Tj ET Q\n"
    ).encode("ascii")


def _visible_box(page: Dictionary) -> tuple[float, float, float, float]:
    media = geometry.box(page.get("/MediaBox")) or DEFAULT_BOX
    crop = geometry.box(page.get("/CropBox"))
    if crop is None:
        return media
    # A viewer shows the crop box clipped to the media box.
    left, bottom = max(crop[0], media[0]), max(crop[1], media[1])
    right, top = min(crop[2], media[2]), min(crop[3], media[3])
    return (left, bottom, right, top) if left < right and bottom < top else media


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
    pdf: pikepdf.Pdf,
    parent: Dictionary,
    outline: Outline,
    pages: list[Dictionary],
    depth: int = 1,
) -> int:
    """Add `outline` under `parent`, sections open and each document's own bookmarks
    closed under it (the pane lists the bundle, not every chapter of every exhibit);
    return how many bookmarks that shows."""
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
            count = _add_bookmarks(pdf, item, children, pages, depth + 1)
            if depth < 2:
                item.Count = count
                shown += count
            else:  # a negative count: closed, with that many shown once opened
                item.Count = -len(children)
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
    # (item, depth): sections and the index at 1, documents at 2, a document's own
    # bookmarks below it (whose titles are the document's and may end like ours).
    waiting = [(outlines.get("/First"), 1)]
    while waiting:
        item, depth = waiting.pop()
        if not isinstance(item, Dictionary):
            continue
        if item.objgen in seen:
            return "its bookmarks go round in a loop."
        seen.add(item.objgen)
        title = str(item.get("/Title", ""))
        target = _destination(item, position)
        if target is None:
            return f'the bookmark "{title}" does not point at a page of the file.'
        if depth == 2 and (page := _PAGE_IN_TITLE.search(title)):
            if labels[target] != page[1]:
                return f'the bookmark "{title}" points at page {labels[target]}.'
            documents.append(target)
        waiting += [(item.get("/Next"), depth), (item.get("/First"), depth + 1)]
    if sorted(documents) != firsts:
        return "there is not exactly one bookmark at the start of each document."
    return None


# What is drawn, not only what is written


# WeasyPrint draws a character no font has as glyph 0, .notdef, an empty box: a font with
# such characters gets an /Encoding CMap mapping their codes to CID 0 (weasyprint/pdf/fonts.py),
# and its /ToUnicode still says which characters they were.
_TO_NOTDEF = re.compile(rb"<([0-9a-fA-F]{2,8})>\s+0\s*$", re.MULTILINE)
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{2,8})>\s*<([0-9a-fA-F]{4,})>")


def missing_glyphs(pages: Sequence[Dictionary]) -> list[str]:
    """The characters that these pages (laid out by WeasyPrint) draw as .notdef boxes."""
    missing: list[str] = []
    seen = set()
    for page in pages:
        form = _page_form(page)
        resources = form.get("/Resources") if form is not None else page.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
        for _, font in fonts.items() if isinstance(fonts, Dictionary) else ():
            if not isinstance(font, Dictionary) or font.objgen in seen:
                continue
            seen.add(font.objgen)
            encoding = font.get("/Encoding")
            if not isinstance(encoding, pikepdf.Stream):
                continue
            codes = {int(code, 16) for code in _TO_NOTDEF.findall(encoding.read_bytes())}
            if not codes:
                continue
            names = _to_unicode(font)
            for code in sorted(codes):
                char = names.get(code, "\ufffd")
                if char not in missing:
                    missing.append(char)
    return missing


def _to_unicode(font: Dictionary) -> dict[int, str]:
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return {}
    names = {}
    for code, text in _BFCHAR.findall(stream.read_bytes()):
        try:
            names[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        except ValueError:
            continue
    return names


def _page_form(page: Dictionary) -> pikepdf.Stream | None:
    resources = page.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    form = xobjects.get(PAGE_FORM) if isinstance(xobjects, Dictionary) else None
    return form if isinstance(form, pikepdf.Stream) else None


def _unbalanced(page: Dictionary) -> bool:
    """Whether the page's content restores a graphics state it never saved, or leaves one
    saved, so that such a page is among those the check renders. Counted over the content's
    whitespace-separated tokens, which costs a twentieth of a regular expression over every
    page of a large bundle: a `q` between words of a text string may count too, which only
    adds a page to render, and a content that restores first and saves later with as many
    of each is caught only when its first `Q` comes before its first `q`."""
    contents = page.get("/Contents")
    parts = contents if isinstance(contents, Array) else [contents]
    try:
        data = b"\n".join(part.read_bytes() for part in parts if isinstance(part, pikepdf.Stream))
    except pikepdf.PdfError:
        return True
    tokens = data.split()
    saves, restores = tokens.count(b"q"), tokens.count(b"Q")
    if saves != restores:
        return True
    return restores > 0 and tokens.index(b"Q") < tokens.index(b"q")


RENDERED_SAMPLE = 24  # pages rendered by the check besides the malformed ones
RENDER_DPI = 72  # a pixel a point
# The number's place, as viewed, in points from the bottom-right corner: it spans at most
# five characters of STAMP_SIZE (a late page: "1234A"), baseline at STAMP_BOTTOM.
_NUMBER_AREA = (STAMP_RIGHT + 40, STAMP_BOTTOM + STAMP_SIZE, STAMP_RIGHT - 2, STAMP_BOTTOM - 3)


def render_problem(path: Path, pdf: pikepdf.Pdf, sample: Sequence[int]) -> str | None:
    """Render the bottom-right corner of each page in `sample` (from 0) with pdftoppm, as a
    reader's viewer would draw it, and say which shows no number there: a stamp present in
    the file can still be drawn off the page or under something."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return "pdftoppm (Debian's poppler-utils) is missing, so its pages could not be looked at."

    with tempfile.TemporaryDirectory(prefix="bundle-check-") as work:
        for index in sample:
            page = pikepdf.Page(pdf.pages[index])
            left, bottom, right, top = _visible_box(page.obj)
            rotate = _rotation(page.obj)
            width, height = (
                (right - left, top - bottom) if rotate in (0, 180) else (top - bottom, right - left)
            )
            start_x, start_y, end_x, end_y = (
                int(width - _NUMBER_AREA[0]),
                int(height - _NUMBER_AREA[1]),
                int(width - _NUMBER_AREA[2]),
                int(height - _NUMBER_AREA[3]),
            )
            target = Path(work, f"p{index}")
            completed = subprocess.run(  # noqa: S603 (a fixed program, our own file)
                [
                    pdftoppm,
                    "-cropbox",  # as a viewer shows the page
                    "-r",
                    str(RENDER_DPI),
                    "-gray",
                    "-f",
                    str(index + 1),
                    "-l",
                    str(index + 1),
                    "-x",
                    str(start_x),
                    "-y",
                    str(start_y),
                    "-W",
                    str(end_x - start_x),
                    "-H",
                    str(end_y - start_y),
                    "-singlefile",
                    str(path),
                    str(target),
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
            if completed.returncode != 0:
                return f"page {index + 1} could not be rendered to look at its number."
            with Image.open(target.with_suffix(".pgm")) as image:
                if image.getextrema()[0] > 128:  # nothing dark where the number goes
                    return f"page {index + 1} does not show its number bottom right."
    return None


def render_sample(page_count: int, malformed: Sequence[int]) -> list[int]:
    """The pages the check renders: the first and the last, RENDERED_SAMPLE spread evenly
    between, and the first RENDERED_SAMPLE pages whose content looked malformed (a faulty
    producer can leave every page of a long scan unbalanced: a pdftoppm run for each would
    cost more than the build, and the pages of one producer fail alike)."""
    step = max(page_count / RENDERED_SAMPLE, 1)
    spread = {min(int(n * step), page_count - 1) for n in range(RENDERED_SAMPLE)}
    return sorted(spread | {0, page_count - 1} | set(malformed[:RENDERED_SAMPLE]))
