"""Images in a bundle drawn finer than the court's guidance allows are resampled, in the
bundle's copy only. Pure: a PDF path in, a PDF path out; no Django.

The judiciary's guidance on electronic bundles asks for scans of at most 300 dpi: a 600 dpi
scan is four times the bytes for nothing a reader sees, and it is bytes that make a court's
filing system refuse a bundle. An image's resolution here is what it has where it is drawn:
its pixels over the size the page's content draws it at (the `cm` in force at its `Do`),
across every page that draws it. An image is left exactly as it is when that cannot be known
for sure: drawn by a form, in a content stream that does not parse, or never seen drawn.

How an image is re-encoded, and which are left alone (masks, unusual colour spaces), is
`resampling`'s business.

The documents themselves are never written: a document with an image to resample is copied
into the build's work folder with those images replaced, and the copy is what is bundled.
The copy is written in batches of about BATCH_BYTES of new image data, so that a 1,000-page
scan costs the worker a batch of memory, not the whole document's images.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name

from casemgr.bundles import geometry, resampling

MAX_DPI = 300  # the guidance's ceiling for scans
# Resampled only above 306 dpi: a scan of exactly 300 dpi put on a page whose size was rounded
# to a point is not worth a re-encoding (a JPEG loses a little at each one).
TOLERANCE = 1.02
# Images of more pixels than this (a photo) have the page's content read to see the size
# they are drawn at, wherever they are; a smaller one only when it would be finer than the
# limit even drawn over the whole page (a scan), so that a page with a logo costs nothing.
LARGE_IMAGE = 4_000_000
BATCH_BYTES = 64 * 1024 * 1024  # new image data held in memory before the copy is written


@dataclass(frozen=True)
class Resample:
    """An image to be resampled: where it is first drawn (so it can be found again in a copy
    of the file, whose object numbers differ) and its new size in pixels."""

    page: int  # 0-based
    name: str  # its name in that page's /XObject resources
    width: int
    height: int
    was: tuple[int, int]  # its size in pixels now
    stream_size: int  # its encoded bytes now

    @property
    def expected_size(self) -> int:
        """Its encoded bytes after resampling, assuming they shrink with its pixels."""
        width, height = self.was
        return int(self.stream_size * self.width * self.height / (width * height))


def plan(pdf: pikepdf.Pdf, max_dpi: int = MAX_DPI) -> list[Resample]:
    """The images of `pdf` drawn at more than `max_dpi` (with TOLERANCE) that can be
    resampled safely, each once however many pages draw it, at the size that gives
    `max_dpi` where it is drawn largest."""
    found: dict[tuple[int, int], _Found] = {}
    in_forms: set[tuple[int, int]] = set()
    forms_seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages):
        xobjects = _xobjects(_resources(page.obj))
        for name, xobject in xobjects.items():
            if not isinstance(xobject, pikepdf.Stream):
                continue
            subtype = xobject.get("/Subtype")
            if subtype == Name.Image:
                entry = found.setdefault(xobject.objgen, _Found(xobject, number, name))
                entry.pages.append(number)
                if _denser_than(xobject, _visible_box(page.obj), max_dpi * TOLERANCE):
                    entry.candidate = True
            elif subtype == Name.Form:
                _images_in_form(xobject, in_forms, forms_seen)

    candidates = {
        key: entry
        for key, entry in found.items()
        if entry.candidate and key not in in_forms and resampling.kind_of(entry.image) is not None
    }
    pages = sorted({number for entry in candidates.values() for number in entry.pages})
    for number in pages:
        _measure(pdf.pages[number].obj, candidates)

    plans = []
    for entry in candidates.values():
        if entry.unsure or not entry.drawn_width or not entry.drawn_height:
            continue
        width, height = int(entry.image.Width), int(entry.image.Height)
        new_width = _pixels(width, entry.drawn_width, max_dpi)
        new_height = _pixels(height, entry.drawn_height, max_dpi)
        if (new_width, new_height) == (width, height):
            continue
        plans.append(
            Resample(
                page=entry.first_page,
                name=entry.first_name,
                width=new_width,
                height=new_height,
                was=(width, height),
                stream_size=_stream_size(entry.image),
            )
        )
    return plans


def reduce(
    source: Path,
    target: Path,
    *,
    max_dpi: int = MAX_DPI,
    progress: Callable[[], None] | None = None,
) -> int:
    """Write to `target` a copy of the PDF at `source` with its images above `max_dpi`
    resampled, and return how many were; when there are none, write nothing and return 0.
    `source` is only read. `progress` is called after each image."""
    with pikepdf.open(source) as pdf:
        plans = plan(pdf, max_dpi)
    if not plans:
        return 0
    done = 0
    current = source
    batches = list(_batches(plans))
    for number, batch in enumerate(batches):
        # Written to alternate files: the one being read stays whole until the next is saved.
        out = target if number == len(batches) - 1 else target.with_suffix(f".{number % 2}.pdf")
        with pikepdf.open(current) as pdf:
            for item in batch:
                image = _xobjects(_resources(pdf.pages[item.page].obj)).get(item.name)
                if isinstance(image, pikepdf.Stream) and resampling.resample(
                    image, item.width, item.height
                ):
                    done += 1
                if progress is not None:
                    progress()
            pdf.save(out, linearize=False, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        if current != source:
            current.unlink()
        current = out
    return done


def projected_size(path: Path, max_dpi: int = MAX_DPI) -> int:
    """The size of the PDF at `path` once its images are resampled, estimated without
    resampling them: each image's bytes shrink with its pixels."""
    size = path.stat().st_size
    with pikepdf.open(path) as pdf:
        return size - sum(item.stream_size - item.expected_size for item in plan(pdf, max_dpi))


# Finding the images and where they are drawn


class _Found:
    def __init__(self, image: pikepdf.Stream, page: int, name: str) -> None:
        self.image = image
        self.first_page = page
        self.first_name = name
        self.pages: list[int] = []
        self.candidate = False  # dense enough to be drawn above the limit
        self.unsure = False  # a page that uses it could not be read
        self.drawn_width = 0.0  # the largest it is drawn, in points
        self.drawn_height = 0.0


def _measure(page: Dictionary, candidates: dict[tuple[int, int], _Found]) -> None:
    """Record the size each candidate image is drawn at on `page`, from the `cm` operators in
    force at its `Do`."""
    xobjects = _xobjects(_resources(page))
    names = {
        name: candidates[xobject.objgen]
        for name, xobject in xobjects.items()
        if isinstance(xobject, pikepdf.Stream) and xobject.objgen in candidates
    }
    if not names:
        return
    unit = _user_unit(page)
    matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    saved: list[tuple[float, ...]] = []
    try:
        instructions = pikepdf.parse_content_stream(page, "q Q cm Do")
        for instruction in instructions:
            operator = str(instruction.operator)
            if operator == "q":
                saved.append(matrix)
            elif operator == "Q":
                if saved:
                    matrix = saved.pop()
            elif operator == "cm":
                matrix = geometry.times(
                    tuple(float(value) for value in instruction.operands), matrix
                )
            elif operator == "Do" and instruction.operands:
                entry = names.get(str(instruction.operands[0]))
                if entry is not None:
                    a, b, c, d = matrix[:4]
                    entry.drawn_width = max(entry.drawn_width, math.hypot(a, b) * unit)
                    entry.drawn_height = max(entry.drawn_height, math.hypot(c, d) * unit)
    except (pikepdf.PdfError, ValueError, TypeError):
        for entry in names.values():
            entry.unsure = True


def _denser_than(image: pikepdf.Stream, box: tuple[float, float, float, float], dpi: float) -> bool:
    """Whether `image` is worth reading its page's content for: a large one, or one that
    would be finer than `dpi` even drawn over the whole page. A cheap test, from the
    resources alone."""
    try:
        pixels = int(image.Width) * int(image.Height)
    except (AttributeError, TypeError, ValueError):
        return False
    left, bottom, right, top = box
    square_inches = (right - left) * (top - bottom) / 72**2
    return pixels <= resampling.MAX_PIXELS and (
        pixels > LARGE_IMAGE or pixels > dpi**2 * square_inches
    )


def _images_in_form(
    form: pikepdf.Stream, images: set[tuple[int, int]], seen: set[tuple[int, int]]
) -> None:
    """Add to `images` every image a form draws, at any depth: where a form draws it, and at
    what size, is not worked out, so those images are left alone."""
    waiting = [form]
    while waiting:
        form = waiting.pop()
        if form.objgen in seen:
            continue
        seen.add(form.objgen)
        for _, xobject in _xobjects(form.get("/Resources")).items():
            if not isinstance(xobject, pikepdf.Stream):
                continue
            if xobject.get("/Subtype") == Name.Image:
                images.add(xobject.objgen)
            elif xobject.get("/Subtype") == Name.Form:
                waiting.append(xobject)


def _pixels(pixels: int, drawn: float, max_dpi: int) -> int:
    """Pixels along one side: as many as `max_dpi` needs over `drawn` points, unless the
    image is already within TOLERANCE of it."""
    if pixels * 72 / drawn <= max_dpi * TOLERANCE:
        return pixels
    return max(1, min(pixels, int(drawn * max_dpi / 72 + 0.5)))


def _batches(plans: list[Resample]) -> Iterable[list[Resample]]:
    batch: list[Resample] = []
    size = 0
    for item in plans:
        if batch and size + item.expected_size > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item.expected_size
    if batch:
        yield batch


# Pages


def _resources(page: Dictionary) -> Dictionary | None:
    """The page's resources, inherited from the page tree when it has none of its own."""
    resources = _inherited(page, "/Resources")
    return resources if isinstance(resources, Dictionary) else None


def _xobjects(resources: object) -> Dictionary:
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    return xobjects if isinstance(xobjects, Dictionary) else Dictionary()


def _visible_box(page: Dictionary) -> tuple[float, float, float, float]:
    boxes = [geometry.box(_inherited(page, key)) for key in ("/CropBox", "/MediaBox")]
    box = next((box for box in boxes if box is not None), None)
    return box or (0.0, 0.0, 595.28, 841.89)


def _inherited(page: Dictionary, key: str) -> object:
    """A page's attribute, or the nearest one in the page tree above it."""
    node: object = page
    for _ in range(32):  # a page tree deeper than this is damaged
        if not isinstance(node, Dictionary):
            return None
        if key in node:
            return node.get(key)
        node = node.get("/Parent")
    return None


def _stream_size(image: pikepdf.Stream) -> int:
    try:
        return int(image.get("/Length"))
    except (TypeError, ValueError):
        return len(image.read_raw_bytes())


def _user_unit(page: Dictionary) -> float:
    try:
        return float(page.get("/UserUnit", 1))
    except (TypeError, ValueError):
        return 1.0
