"""The redaction engine. Pure: a PDF and the boxes to black out in, a redacted PDF out; no
Django. `casemgr.redaction.services` runs it on an exhibit file's rendition, and
`manage.py redact` on any PDF.

Coordinates are PDF points (1/72 inch) from the top-left corner of the page as it is shown:
rotation and crop box applied, which is what a viewer draws and what a person measures.

How: each page with a box is drawn as pixels at 300 dpi, the boxes are painted black with
their reason, and the page's text is read back from those pixels by OCR (raster.py); the
pages without a box are kept as they are. A box's content is thus gone whatever it was
(text, image or vector drawing): nothing but pixels remains there. This route is
licence-clean (PDFium, pikepdf, Tesseract), where PyMuPDF's redaction is AGPL. Then the
document loses its metadata, annotations, attachments and scripts (scrub.py) and is written
as a fresh file.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

from casemgr.evidence import ocr
from casemgr.redaction import locate, raster, scrub


class Reason(StrEnum):
    PRIVILEGE = "privilege"
    PERSONAL_DATA = "personal_data"
    COMMERCIAL = "commercially_sensitive"
    IRRELEVANT = "irrelevant"


# As printed inside each box, and offered in the viewer.
REASON_LABELS = {
    Reason.PRIVILEGE: "Privileged",
    Reason.PERSONAL_DATA: "Personal data",
    Reason.COMMERCIAL: "Commercially sensitive",
    Reason.IRRELEVANT: "Irrelevant",
}


class RedactionError(Exception):
    """A document cannot be redacted (unreadable, encrypted, a box off the page), in words a
    paralegal can act on."""


@dataclass(frozen=True)
class Box:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    reason: Reason = Reason.PRIVILEGE


@dataclass(frozen=True)
class Result:
    page_count: int
    redacted_pages: tuple[int, ...]  # 1-based, the pages that had a box


Progress = Callable[[int, int], object]  # (pages done, pages to do)


def find(
    path: Path,
    *,
    terms: Sequence[str] = (),
    patterns: Sequence[str] = (),
    reason: Reason = Reason.PRIVILEGE,
) -> list[Box]:
    """A box over every occurrence of each term (case-insensitive) and each regular
    expression, found in the PDF's text layer."""
    try:
        expressions = locate.compile_all(terms, patterns)
    except ValueError as error:
        raise RedactionError(str(error)) from None
    reason = _reason(reason)
    boxes: list[Box] = []
    if not expressions:
        return boxes
    with _document(Path(path)) as document:
        for index in range(len(document)):
            page = document[index]
            try:
                rects = locate.page_matches(page, expressions)
            finally:
                page.close()
            rects.sort(key=lambda rect: (rect[1], rect[0]))
            boxes.extend(Box(index + 1, *rect, reason=reason) for rect in rects)
    return boxes


def redact(
    source: Path,
    target: Path,
    boxes: Sequence[Box],
    *,
    languages: str = "eng",
    progress: Progress | None = None,
    jobs: int | None = None,
) -> Result:
    """Write `source` to `target` with the content under every box gone (text, images and
    vector drawing), each box painted black with its reason, and the document's metadata,
    annotations, attachments and scripts removed. The source is never changed.

    The pages with a box are redacted in parallel by `jobs` processes (one per core unless
    told), started from a fork server: a script that calls this must guard its own work
    with `if __name__ == "__main__":`, as multiprocessing asks. `progress` hears (pages
    done, pages to do) as they finish. `languages` are Tesseract's, for reading the text
    back ("eng", "chi_sim", "eng+chi_sim")."""
    source, target = Path(source), Path(target)
    if target.exists() and target.resolve() == source.resolve():
        raise RedactionError("The redacted copy cannot be written over the original.")
    if not target.parent.is_dir():
        raise RedactionError(f"There is no folder {target.parent} to write the redacted copy in.")
    with _document(source) as document:
        sizes = [document.get_page_size(index) for index in range(len(document))]
    by_page = _checked(boxes, sizes)
    if by_page:
        _check_languages(languages)
    with contextlib.ExitStack() as stack:
        pdf = stack.enter_context(_opened(source))
        work = stack.enter_context(tempfile.TemporaryDirectory(prefix="casemgr-redact-"))
        redacted = _redacted_pages(source, by_page, languages, Path(work), jobs, progress)
        for number, path in sorted(redacted.items()):
            one = stack.enter_context(pikepdf.open(path))  # open until saved: QPDF copies lazily
            pdf.pages[number - 1] = one.pages[0]
        scrub.scrub(pdf)
        _save(pdf, target)
    return Result(page_count=len(sizes), redacted_pages=tuple(sorted(by_page)))


# Off the page by less than this is taken as the page's edge (a box drawn to the edge in a
# viewer, rounded); more is a mistake worth saying.
_EDGE_TOLERANCE = 1.0
_LANGUAGES = re.compile(r"[a-z_]+(?:\+[a-z_]+)*")


def _checked(
    boxes: Sequence[Box], sizes: Sequence[tuple[float, float]]
) -> dict[int, list[raster.Painted]]:
    """The boxes by page number, each as raster.page_redacted paints it (corners in order,
    within the page, with its label). Raises RedactionError for a box that is not on a page
    of the document."""
    by_page: dict[int, list[raster.Painted]] = defaultdict(list)
    for number, box in enumerate(boxes, 1):
        if not 1 <= box.page <= len(sizes):
            pages = f"{len(sizes)} page" + ("" if len(sizes) == 1 else "s")
            raise RedactionError(
                f"Box {number} is on page {box.page}, but the document has {pages}."
            )
        corners = (box.x0, box.y0, box.x1, box.y1)
        if not all(isinstance(c, int | float) and math.isfinite(c) for c in corners):
            raise RedactionError(
                f"Box {number} (page {box.page}) has a corner that is not a number."
            )
        x0, x1 = sorted((float(box.x0), float(box.x1)))
        y0, y1 = sorted((float(box.y0), float(box.y1)))
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            raise RedactionError(f"Box {number} (page {box.page}) has no area.")
        width, height = sizes[box.page - 1]
        tolerance = _EDGE_TOLERANCE
        if x0 < -tolerance or y0 < -tolerance or x1 > width + tolerance or y1 > height + tolerance:
            raise RedactionError(
                f"Box {number} runs off page {box.page}: it spans {x0:g}–{x1:g} across and "
                f"{y0:g}–{y1:g} down, and the page is {width:g} × {height:g} points."
            )
        label = REASON_LABELS[_reason(box.reason)]
        by_page[box.page].append(
            (max(0.0, x0), max(0.0, y0), min(width, x1), min(height, y1), label)
        )
    return dict(by_page)


def _reason(value: object) -> Reason:
    try:
        return Reason(value)
    except ValueError:
        choices = ", ".join(reason.value for reason in Reason)
        raise RedactionError(f"{value!r} is not a reason for a redaction ({choices}).") from None


def _check_languages(languages: str) -> None:
    if not _LANGUAGES.fullmatch(languages):
        raise RedactionError(
            f"{languages!r} is not a choice of OCR languages (e.g. eng, chi_sim, eng+chi_sim)."
        )
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise RedactionError(
            "Tesseract is not installed on the server, so the text of a redacted page cannot "
            "be read back. Tell your administrator (Debian package tesseract-ocr)."
        )
    problem = ocr.languages_unavailable(languages, tesseract)
    if problem:
        raise RedactionError(problem)


def _redacted_pages(
    source: Path,
    by_page: dict[int, list[raster.Painted]],
    languages: str,
    work: Path,
    jobs: int | None,
    progress: Progress | None,
) -> dict[int, Path]:
    """Each page of `by_page` redacted as a one-page PDF in `work`, by number."""
    total, done = len(by_page), {}
    if progress:
        progress(0, total)
    jobs = max(1, min(jobs or os.cpu_count() or 1, total))
    arguments = {
        number: (str(source.resolve()), number - 1, painted, languages, str(work))
        for number, painted in by_page.items()
    }
    if jobs == 1:
        for number in sorted(arguments):
            done[number] = _page_or_error(
                number, lambda a=arguments[number]: raster.page_redacted(*a)
            )
            if progress:
                progress(len(done), total)
        return done
    # Fresh processes from a fork server, never forks of a threaded web or Celery process.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures: dict[Future, int] = {
            pool.submit(raster.page_redacted, *arguments[number]): number
            for number in sorted(arguments)
        }
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in finished:
                    number = futures[future]
                    done[number] = _page_or_error(number, future.result)
                    if progress:
                        progress(len(done), total)
        finally:
            for future in pending:
                future.cancel()
    return done


def _page_or_error(number: int, result: Callable[[], str]) -> Path:
    try:
        return Path(result())
    except raster.PageFailed as error:
        raise RedactionError(f"Page {number} could not be redacted: {error}") from None
    except BrokenProcessPool:
        raise RedactionError(
            f"The process redacting page {number} stopped (perhaps out of memory). Retry "
            "when the server is less busy."
        ) from None
    except pdfium.PdfiumError as error:
        raise RedactionError(f"Page {number} could not be drawn ({error}).") from None


@contextlib.contextmanager
def _document(path: Path) -> Iterator[pdfium.PdfDocument]:
    """The PDF at `path` opened with PDFium, or a RedactionError saying why it cannot be."""
    if not path.is_file():
        raise RedactionError(f"There is no file at {path}.")
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise RedactionError(_ENCRYPTED) from None
        raise RedactionError(_UNREADABLE) from None
    try:
        yield document
    finally:
        document.close()


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[pikepdf.Pdf]:
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise RedactionError(_ENCRYPTED) from None
    except pikepdf.PdfError:
        raise RedactionError(_UNREADABLE) from None
    with pdf:
        yield pdf


_ENCRYPTED = (
    "The PDF is protected by a password, so it cannot be redacted. Ask for an unprotected copy."
)
_UNREADABLE = "The file is not a PDF that can be read, so it cannot be redacted."


def _save(pdf: pikepdf.Pdf, target: Path) -> None:
    """Write `pdf` as a fresh file (every object renumbered, none that is not referenced,
    unencrypted), in full before it takes the name `target`. The same source and boxes give
    the same bytes (a task run twice writes the same file): the /ID comes from the content,
    and nothing in the file records when it was made."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        pdf.save(
            partial,
            encryption=False,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            fix_metadata_version=False,
        )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
