"""The court bundle builder. Pure: paths and titles in, a PDF file out; no Django.

Follows the judiciary's *General guidance on electronic court bundles* and the Commercial
Court Guide: a cover and an index (laid out by WeasyPrint), the documents in order
with optional section dividers (concatenated with qpdf), every page numbered bottom right
from 1 on the cover so that the printed number, the index, the page label and the PDF page
number agree; a nested bookmark per section and document; index entries that link to their
documents.

Once a version has been served, its pages keep their numbers. Pass that version's `layout`
as `Spec.served`: documents added since go at the end, numbered on from the last page
(LateMode.END, the guidance's default), or in place with numbers like 45A, 45B
(LateMode.IN_PLACE).

The work is split between this module (the public interface and the order of work),
`numbering` (where each page goes and what number it bears), `front_matter` (the cover, the
index and the dividers, laid out by WeasyPrint), `images` (images drawn finer than the
guidance's 300 dpi resampled, in copies of the documents that need it) and `marking` (stamps,
labels, links and bookmarks on the assembled pages, and the check).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import tempfile
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pikepdf

from casemgr.bundles import front_matter, images, marking, numbering

log = logging.getLogger(__name__)


class BundleError(Exception):
    """An input cannot be bundled (unreadable, encrypted, not a PDF), in words a paralegal
    can act on."""


class BundleCheckError(BundleError):
    """The finished file failed its final check; it must not be published."""


class LateMode(StrEnum):
    END = "end"
    IN_PLACE = "in_place"


@dataclass(frozen=True)
class Document:
    key: str  # stable across versions, chosen by the caller (e.g. "entry:12")
    path: Path  # a PDF: the original, or the PDF rendition of an image, e-mail...
    title: str
    reference: str = ""  # exhibit reference, e.g. "MA-1"
    date: str = ""  # as shown in the index, e.g. "12 March 2026"


@dataclass(frozen=True)
class Section:
    letter: str  # "A"
    title: str  # "Statements of case"
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Side:
    """One side of the proceedings as the cover names it: its role, in the plural when it
    holds several parties ("Claimant", "Defendants"), and its parties in order."""

    role: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    title: str  # "Bundle for the CMC on 12 March 2027"
    case_name: str = ""  # "Northwind v Jadeport": on the cover when no parties are named
    claim_number: str = ""  # "IL-2026-000123"
    claim_number_label: str = "Claim No."  # "Case No." for courts that say so
    court: str = ""  # "High Court of Justice", as the court styles itself (never upper-cased)
    division: str = ""  # "Business and Property Courts – Intellectual Property List (ChD)"
    letter: str = ""  # "A": the cover says "Bundle A"
    sides: tuple[Side, ...] = ()  # the parties: "Between: ... Claimant – and – ... Defendant"
    hearing: str = ""  # "For the case management conference: First CMC"
    hearing_at: str = ""  # "Tuesday 8 December 2026, 10:30 London (UTC+0)": the court's clock
    prepared_on: str = ""  # shown on the cover
    version: int = 1
    sections: tuple[Section, ...] = ()
    dividers: bool = False
    served: dict | None = None  # Result.layout of the last served version
    late_mode: LateMode = LateMode.END
    # Which of two versions built together this is, on the cover: "Confidentiality ring
    # version..." or "Open version..." (bundles/open_version.py); "" for a bundle made once.
    edition: str = ""


@dataclass(frozen=True)
class Run:
    """A run of consecutive pages in the output: the cover, the index, a divider or a
    document."""

    key: str  # "cover", "index", "divider:A" or the document's key
    kind: str  # "cover" | "index" | "divider" | "document"
    section: str  # section letter, "" for cover and index
    title: str
    reference: str
    first: int  # 0-based index of its first page in the file
    labels: tuple[str, ...]  # printed page numbers, e.g. ("45", "46") or ("45A", "45B")
    late: bool  # added after the served version
    tab: str = ""  # the document's tab in the index, e.g. "B3" (or "B2A" once inserted)


@dataclass(frozen=True)
class Result:
    page_count: int
    runs: tuple[Run, ...]
    scanned: tuple[tuple[str, str], ...]  # (document key, page label) of pages with no text
    malformed: tuple[int, ...]  # pages (from 0) whose content does not balance q and Q
    layout: dict  # JSON-able; pass as Spec.served when this version has been served
    size: int
    sha256: str
    resampled: int = 0  # images drawn finer than images.MAX_DPI, resampled to it


Progress = Callable[[int, int], None]  # (pages done, pages in all)


def build(spec: Spec, out: Path, progress: Progress | None = None) -> Result:
    """Build the bundle described by `spec` into the file `out` and return what is in it.

    Raises BundleError, naming the document, when an input is not a readable PDF, and when
    `spec.served` cannot be honoured (a served document removed, or its page count changed).
    """
    read = {
        document.key: read_document(document.path, title=document.title or document.reference)
        for section in spec.sections
        for document in section.documents
    }
    counts = {key: pages for key, (pages, _) in read.items()}
    items = numbering.arrange(spec, counts)
    groups = numbering.headings(spec, items)
    planned = front_matter.plan(spec, items, groups)
    runs = _runs(spec, items, planned.index_labels)
    page_count = runs[-1].first + len(runs[-1].labels)
    documents = [run for run in runs if run.kind == "document"]
    front_runs = [run for run in runs if run.kind != "document"]

    with (
        tempfile.TemporaryDirectory(prefix="bundle-") as work,
        ThreadPoolExecutor(max_workers=1) as layout_thread,
    ):
        # The cover, index and dividers are laid out (by WeasyPrint, in a child process of
        # their own) while the documents are put together and stamped here: every page
        # number is known from the plan, so neither waits for the other, and on a machine
        # with two cores a large bundle's index costs little time of its own.
        laying_out = layout_thread.submit(front_matter.render, spec, items, planned)
        paths, resampled = _resampled(items, Path(work), progress)
        pdf = _assemble(items, paths, out)
        with pdf:
            if len(pdf.pages) != sum(len(run.labels) for run in documents):  # a file changed
                raise BundleError(
                    "A document changed while the bundle was being built. Build it again."
                )
            stamps = marking.Stamps(pdf, page_count, progress)
            stamps.add(documents, [page.obj for page in pdf.pages])
            front = laying_out.result()
            # Open until the bundle is saved: their pages' streams are read from them then.
            with contextlib.ExitStack() as front_pdfs:
                front_pages = [
                    page
                    for data in front.pdfs
                    for page in front_pdfs.enter_context(pikepdf.open(io.BytesIO(data))).pages
                ]
                _insert_front(pdf, front, front_pages, runs)
                pages = [page.obj for page in pdf.pages]
                stamps.add(
                    front_runs,
                    [pages[run.first + n] for run in front_runs for n in range(len(run.labels))],
                )
                marking.mark(
                    pdf,
                    title=spec.title,
                    runs=runs,
                    outline=_outline(groups, items, runs, {key: o for key, (_, o) in read.items()}),
                    links={f"run-{n}": runs[n + 2] for n in range(len(items))},
                    progress=progress,
                )
                pdf.save(
                    out,
                    # The same inputs give the same bytes, so that a rebuild can be verified
                    # against a served version's SHA-256: the file's /ID is derived from its
                    # content, and nothing in it records when it was made.
                    deterministic_id=True,
                    linearize=False,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate,
                    compress_streams=True,
                )

    with out.open("rb") as handle:
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    return Result(
        page_count=page_count,
        runs=runs,
        scanned=tuple(stamps.scanned),
        malformed=tuple(stamps.malformed),
        layout=numbering.layout(spec, items, runs, index_pages=front.index_pages),
        size=out.stat().st_size,
        sha256=sha256,
        resampled=resampled,
    )


def check(out: Path, result: Result) -> None:
    """Raise BundleCheckError unless the file at `out` is the bundle `result` describes:
    every page there and stamped with its number, page labels as printed, every bookmark
    and index link pointing at the right page of this file, no character of the cover,
    index or dividers printed as an empty box, and the number seen where it belongs on a
    sample of pages rendered as a viewer draws them, every malformed page among them."""
    try:
        pdf = pikepdf.open(out)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError) as error:
        raise BundleCheckError(f"The bundle does not open: {error}") from None
    with pdf:
        problem = marking.problem(pdf, result.page_count, result.runs) or marking.render_problem(
            out, pdf, marking.render_sample(result.page_count, result.malformed)
        )
    if problem:
        raise BundleCheckError(f"The bundle failed its final check: {problem}")


def count_pages(path: Path, *, title: str = "") -> int:
    """The number of pages of the PDF at `path`. Raises BundleError, naming the document
    by `title` (or by its file name), when it is not a PDF this builder can read."""
    return read_document(path, title=title)[0]


# An input's own bookmarks are kept under its document's, to this depth and count: enough
# for a report's chapters or an agreement's schedules, never a bookmark pane of thousands.
OWN_BOOKMARK_DEPTH = 3
OWN_BOOKMARK_LIMIT = 200
OWN_BOOKMARK_TITLE = 200  # characters


def read_document(path: Path, *, title: str = "") -> tuple[int, marking.Outline]:
    """The number of pages of the PDF at `path`, and its own bookmarks with the page (from
    0, within the document) each opens at. Raises BundleError, naming the document by
    `title` (or by its file name), when it is not a PDF this builder can read."""
    name = f'"{title}"' if title else f'"{Path(path).name}"'
    try:
        with open(path, "rb") as handle:
            start = handle.read(1024)
    except OSError as error:
        raise BundleError(f"The file of {name} could not be read ({error.strerror}).") from None
    if b"%PDF-" not in start:  # readers accept junk before the header, but not much
        raise BundleError(
            f"{name} is not a PDF. Bundle its PDF rendition, or convert it to PDF first."
        )
    try:
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
            outline = _own_bookmarks(pdf)
    except pikepdf.PasswordError:
        raise BundleError(
            f"{name} is a password-protected PDF, so it cannot be bundled. "
            "Ask for an unprotected copy."
        ) from None
    except (pikepdf.PdfError, RuntimeError) as error:
        raise BundleError(f"{name} is a damaged PDF that could not be read: {error}") from None
    if pages == 0:
        raise BundleError(f"{name} is a PDF with no pages.")
    return pages, outline


def _own_bookmarks(pdf: pikepdf.Pdf) -> marking.Outline:
    """The document's bookmarks that open a page of it, as (title, page, children); one
    that opens nothing (or is damaged) is left out, and its children come up a level."""
    position = {page.objgen: number for number, page in enumerate(pdf.pages)}
    kept = 0

    def walk(items, depth: int) -> list:
        nonlocal kept
        found = []
        for item in items:
            if kept >= OWN_BOOKMARK_LIMIT:
                break
            page = _opens(pdf, item, position)
            children = walk(item.children, depth + 1) if depth < OWN_BOOKMARK_DEPTH else []
            title = " ".join(str(item.title or "").split())[:OWN_BOOKMARK_TITLE]
            if page is None or not title:
                found.extend(children)
                continue
            kept += 1
            found.append((title, page, children))
        return found

    try:
        with pdf.open_outline(strict=False) as outline:
            return walk(outline.root, 1)
    except (pikepdf.PdfError, pikepdf.OutlineStructureError, KeyError, TypeError, ValueError):
        return []  # the document's own bookmarks are a convenience; its pages are what count


def _opens(pdf: pikepdf.Pdf, item, position: dict) -> int | None:
    """The page (from 0) a bookmark of `pdf` opens, through a destination, a named one or a
    go-to action; None if it opens anything else."""
    destination = item.destination
    action = item.action
    if destination is None and isinstance(action, pikepdf.Dictionary):
        if action.get("/S") == pikepdf.Name.GoTo:
            destination = action.get("/D")
    if isinstance(destination, (pikepdf.String, pikepdf.Name)):
        destination = _named(pdf, destination)
    if isinstance(destination, pikepdf.Dictionary):  # an old-style named destination
        destination = destination.get("/D")
    if not isinstance(destination, pikepdf.Array) or len(destination) == 0:
        return None
    page = destination[0]
    if isinstance(page, pikepdf.Dictionary) and page.is_indirect:
        return position.get(page.objgen)
    return None


def _named(pdf: pikepdf.Pdf, name) -> object:
    key = str(name).lstrip("/")
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        tree = pikepdf.NameTree(names.Dests)
        if key in tree:
            return tree[key]
    dests = pdf.Root.get("/Dests")
    if isinstance(dests, pikepdf.Dictionary):
        return dests.get("/" + key)
    return None


# Bundles are lettered A to Z, then AA, AB ... ZZ: the order the app and bundle_pdfs both
# letter them in.
_SINGLE = tuple(chr(c) for c in range(ord("A"), ord("Z") + 1))
LETTERS = _SINGLE + tuple(a + b for a in _SINGLE for b in _SINGLE)

_UNSAFE_IN_FILE_NAME = re.compile(r"[^\w .-]|_")
FILE_NAME_LIMIT = 120


def file_name(claim_number: str, case_name: str, letter: str, version: int = 1) -> str:
    """The download name of a bundle, e.g. "IL-2026-000123 Northwind v Jadeport - Bundle A
    - v2.pdf": letters, digits, spaces, hyphens and dots only, at most FILE_NAME_LIMIT
    characters (the case name is shortened to fit)."""
    ending = " - ".join(part for part in (f"Bundle {_safe(letter)}".strip(), f"v{version}"))
    start = " ".join(part for part in (_safe(claim_number), _safe(case_name)) if part)
    start = start[: FILE_NAME_LIMIT - len(ending) - len(" - .pdf")].rstrip(" .-")
    return f"{start} - {ending}.pdf" if start else f"{ending}.pdf"


def _safe(text: str) -> str:
    """`text` with every character other than a letter, digit, space, hyphen or dot made a
    space, runs of spaces collapsed, and no dot or hyphen to start (a hidden file, an
    option)."""
    text = _UNSAFE_IN_FILE_NAME.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(text.split()).lstrip(".-").strip()


# The order of work


def _runs(
    spec: Spec, items: list[numbering.Item], index_labels: tuple[str, ...]
) -> tuple[Run, ...]:
    runs = [
        Run("cover", "cover", "", spec.title, "", 0, ("1",), late=False),
        Run("index", "index", "", "Index", "", 1, index_labels, late=False),
    ]
    first = 1 + len(index_labels)
    for item in items:
        runs.append(
            Run(
                key=item.key,
                kind=item.kind,
                section=item.section,
                title=item.title,
                reference=item.reference,
                first=first,
                labels=item.labels,
                late=item.late,
                tab=item.tab,
            )
        )
        first += len(item.labels)
    return tuple(runs)


def _resampled(
    items: list[numbering.Item], work: Path, progress: Progress | None
) -> tuple[dict[Path, Path], int]:
    """The file to bundle for each document's path: the document itself, or a copy in
    `work` with its images finer than the guidance allows resampled (see `images`); and how
    many images were. A file bundled twice is looked at once."""
    paths: dict[Path, Path] = {}
    resampled = 0

    def still_working() -> None:
        if progress is not None:
            progress(0, 0)

    for item in items:
        if item.kind == "divider":
            continue
        path = Path(item.path).resolve()
        if path in paths:
            continue
        copy = work / f"document-{len(paths)}.pdf"
        try:
            count = images.reduce(path, copy, progress=still_working)
        except (pikepdf.PikepdfError, OSError, ValueError, TypeError):
            # The document was read when its pages were counted; what failed is the search
            # for images to resample, and the bundle can do without it: larger, never wrong.
            log.warning("Images of %s not resampled", path, exc_info=True)
            count = 0
        paths[path] = copy if count else path
        resampled += count
    return paths, resampled


def _assemble(items: list[numbering.Item], paths: dict[Path, Path], out: Path) -> pikepdf.Pdf:
    """The documents' pages, in order, put together by qpdf (the cover, index and dividers
    go in afterwards: _insert_front)."""
    sources = [
        {"file": str(paths[Path(item.path).resolve()]), "range": "1-z"}
        for item in items
        if item.kind != "divider"
    ]
    if not sources:
        return pikepdf.new()
    job = pikepdf.Job(
        {
            "inputFile": "",
            "empty": "",
            "outputFile": str(out),  # required of a job; pdf.save in build writes it
            "noWarn": "",
            # qpdf's default ("auto") parses every content stream looking for fonts and
            # images a page does not use: seconds per thousand pages, and nothing removed
            # from a bundle is worth that.
            "removeUnreferencedResources": "no",
            "pages": sources,
        }
    )
    try:
        # qpdf reads the documents' streams only as it writes the bundle, so memory stays
        # flat however large the scans; pikepdf's copy_foreign copies every stream into
        # memory at once (10,000 scanned pages would not fit).
        return job.create_pdf()
    except (pikepdf.PdfError, pikepdf.JobUsageError, RuntimeError) as error:
        raise BundleError(f"The documents could not be put together: {error}") from None


def _insert_front(
    pdf: pikepdf.Pdf,
    front: front_matter.Front,
    front_pages: list[pikepdf.Page],
    runs: tuple[Run, ...],
) -> None:
    """Put the cover, the index (with the blank pages that keep a served index's length) and
    the dividers, `front_pages`, in their places among the documents' pages of `pdf`."""
    cover, index = runs[0], runs[1]
    places = [(cover.first, 1)]
    for n in range(len(index.labels)):
        places.append(
            (index.first + n, front.index_first + n if n < front.index_pages else front.blank_page)
        )
    places += [
        (run.first, front.divider_pages[run.key]) for run in runs[2:] if run.kind == "divider"
    ]
    # In order: each page goes where it finally belongs once those before it are in.
    for position, page in sorted(places):
        pdf.pages.insert(position, front_pages[page - 1])


def _outline(
    groups: list[numbering.Heading],
    items: list[numbering.Item],
    runs: tuple[Run, ...],
    own: dict[str, marking.Outline],
) -> marking.Outline:
    """Bookmarks: the index, then each section (at its divider, or its first document) with
    a bookmark per document whose title carries its tab and first page, as in the index,
    and under it the document's own bookmarks (`own`, by document key), moved to its pages
    in the bundle."""

    def run(position: int) -> Run:
        return runs[position + 2]  # after the cover and the index

    def moved(outline: marking.Outline, first: int) -> list:
        return [(title, first + page, moved(children, first)) for title, page, children in outline]

    outline = [("Index", runs[1].first, [])]
    for group in groups:
        children = [
            (
                f"{items[n].tab} {items[n].entry_title} (p. {items[n].labels[0]})",
                run(n).first,
                moved(own.get(items[n].key, []), run(n).first),
            )
            for n in group.entries
        ]
        start = group.divider if group.divider is not None else next(iter(group.entries), None)
        if start is not None:
            outline.append((group.bookmark, run(start).first, children))
    return outline
