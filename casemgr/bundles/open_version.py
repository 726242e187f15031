"""The open version of a confidentiality-ring bundle. Pure: no Django.

A ring bundle goes to the attorneys inside the ring; its open version to everyone else (the
parties' other lawyers, the court file). Both are cited in the same hearing, so page 123
must be the same page in both. The open version is therefore built from the ring bundle's
own Spec with only the documents' files and (for withheld documents) their index rows
swapped, and then compared with the ring version: a difference in any page number, page
label, document's first page or index length fails the build, loudly, rather than publish
two files that disagree.

- A document with an approved redaction is swapped for its redacted file. A redaction keeps
  its rendition's pages (the engine blacks out; it never removes a page), so the document's
  page count does not change.
- An attorneys'-eyes-only document is withheld: the open version has, for each of its pages,
  a placeholder page of the same size saying the page is withheld, and its index row and
  bookmark say "Withheld (attorneys' eyes only)" instead of its title, with no date. An index
  row has a fixed height whatever its title (bundles/index.py), so the index keeps its pages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from casemgr.bundles import builder

WITHHELD_TITLE = "Withheld (attorneys' eyes only)"
RING_EDITION = "Confidentiality ring version: attorneys' eyes only"
OPEN_EDITION = "Open version: redacted, attorneys'-eyes-only documents withheld"
PLACEHOLDER_LINES = (
    "Withheld from the open version",
    "This page is attorneys' eyes only. It is in the confidentiality",
    "ring version of this bundle under the same page number.",
)


@dataclass(frozen=True)
class Swap:
    """What the open version has in place of one document: its redacted file (`path`), or,
    with no path, placeholder pages (the document is withheld)."""

    path: Path | None = None

    @property
    def withheld(self) -> bool:
        return self.path is None


def build(
    spec: builder.Spec,
    ring: builder.Result,
    swaps: dict[str, Swap],
    out: Path,
    work: Path,
    progress: builder.Progress | None = None,
) -> builder.Result:
    """Build the open version of the ring bundle `spec` (already built, as `ring`) into
    `out`, with each document named in `swaps` (by key) swapped; placeholder files are made
    in `work`. Raises builder.BundleCheckError unless its pagination is the ring version's."""
    result = builder.build(open_spec(spec, swaps, work), out, progress=progress)
    problem = pagination_difference(ring, result)
    if problem:
        raise builder.BundleCheckError(
            "The open version's pages would not match the confidentiality ring version's "
            f"({problem}), so nothing was published. This is a fault in casemgr: please "
            "report it."
        )
    return result


def open_spec(spec: builder.Spec, swaps: dict[str, Swap], work: Path) -> builder.Spec:
    """`spec` with its documents swapped as `swaps` says, and the open version's cover."""
    keys = {document.key for section in spec.sections for document in section.documents}
    if unknown := set(swaps) - keys:
        raise builder.BundleError(f"No such documents in the bundle: {sorted(unknown)}")
    sections = []
    withheld = 0
    for section in spec.sections:
        documents = []
        for document in section.documents:
            swap = swaps.get(document.key)
            if swap is None:
                documents.append(document)
            elif swap.withheld:
                withheld += 1
                path = work / f"withheld-{withheld}.pdf"
                placeholder(document.path, path)
                documents.append(
                    dataclasses.replace(document, path=path, title=WITHHELD_TITLE, date="")
                )
            else:
                documents.append(dataclasses.replace(document, path=swap.path))
        sections.append(dataclasses.replace(section, documents=tuple(documents)))
    return dataclasses.replace(spec, sections=tuple(sections), edition=OPEN_EDITION)


def pagination_difference(ring: builder.Result, other: builder.Result) -> str:
    """How `other` is paginated differently from `ring`, or "" if it is not: the same number
    of pages, and every run (cover, index, divider, document) at the same place with the
    same page labels and index tab."""
    if ring.page_count != other.page_count:
        return f"{other.page_count} pages where the ring version has {ring.page_count}"
    if len(ring.runs) != len(other.runs):
        return "a different number of documents"
    for mine, theirs in zip(ring.runs, other.runs, strict=True):
        if (mine.key, mine.first, mine.labels, mine.tab) != (
            theirs.key,
            theirs.first,
            theirs.labels,
            theirs.tab,
        ):
            where = mine.reference or mine.title
            return f"{where} starts at page {theirs.labels[:1]} instead of {mine.labels[:1]}"
    if ring.layout.get("index_pages") != other.layout.get("index_pages"):
        return "an index of a different length"
    return ""


def placeholder(source: Path, out: Path) -> int:
    """Write to `out` a page saying it is withheld for each page of the PDF `source`, each
    the size and orientation of the page it stands for (so the bundle's stamp sits where it
    does in the ring version); nothing else of `source` is copied. Returns the page count."""
    try:
        with pikepdf.open(source) as pdf:
            shapes = [_shape(page) for page in pdf.pages]
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError) as error:
        raise builder.BundleError(f"A withheld document could not be read: {error}") from None
    document = pikepdf.new()
    font = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name("/Helvetica"),
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    for box, rotate in shapes:
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=list(box),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=document.make_stream(_notice(box, rotate)),
        )
        if rotate:
            page.Rotate = rotate
        document.pages.append(pikepdf.Page(page))
    document.save(out, deterministic_id=True)
    return len(shapes)


def _shape(page: pikepdf.Page) -> tuple[tuple[float, float, float, float], int]:
    """The page's visible box (its crop box, within its media box) and its rotation."""
    box = [float(v) for v in page.cropbox]
    x0, y0, x1, y1 = (
        min(box[0], box[2]),
        min(box[1], box[3]),
        max(box[0], box[2]),
        max(box[1], box[3]),
    )
    return (x0, y0, x1, y1), int(page.obj.get("/Rotate", 0)) % 360


def _notice(box: tuple[float, float, float, float], rotate: int) -> bytes:
    """The placeholder's words, centred on the page as a viewer shows it (turned back by
    the page's rotation, so that they read upright)."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    shown_width = height if rotate in (90, 270) else width
    size = max(8.0, min(16.0, shown_width / 32))
    # From the shown page's centre to the page's own coordinates.
    cx, cy = x0 + width / 2, y0 + height / 2
    turn = {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}
    a, b, c, d = turn.get(rotate, turn[0])
    sizes = [size * 1.4] + [size] * (len(PLACEHOLDER_LINES) - 1)  # a heading, then the text
    # The lines start at one edge and the block is centred: Helvetica's average advance in
    # such text is about 0.45 of its size, close enough to centre a block by (ragged centring
    # of lines measured that roughly would show).
    x = -max(len(text) * s for text, s in zip(PLACEHOLDER_LINES, sizes, strict=True)) * 0.45 / 2
    lines = []
    for n, (text, line_size) in enumerate(zip(PLACEHOLDER_LINES, sizes, strict=True)):
        y = size * 2 - n * size * 2.2
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        lines.append(f"BT /F1 {line_size:.2f} Tf {x:.2f} {y:.2f} Td ({escaped}) Tj ET")
    return (f"q {a} {b} {c} {d} {cx:.2f} {cy:.2f} cm " + " ".join(lines) + " Q").encode("latin-1")
