"""Images in a bundle drawn finer than the court's guidance allows are resampled, in the
bundle's copy only. Pure: a PDF path in, a PDF path out; no Django.

The judiciary's guidance on electronic bundles asks for scans of at most 300 dpi: a 600 dpi
scan is four times the bytes for nothing a reader sees, and it is bytes that make a court's
filing system refuse a bundle. An image's resolution here is what it has where it is drawn:
its pixels over the size the page's content draws it at (the `cm` in force at its `Do`),
across every page that draws it. An image is left exactly as it is when that cannot be known
for sure: drawn by a form, in a content stream that does not parse, or never seen drawn.

Re-encoded as it came, as far as a PDF allows: a JPEG stays a JPEG (decoded at half or a
quarter size by libjpeg itself where it can, which is fast), a 1-bit image stays 1-bit (CCITT
Group 4, as scanners write it), anything else becomes Flate with PNG predictors. Images with a
mask or a soft mask, a /Decode array, more than 8 bits a component, or a colour space other
than grey or RGB (device, calibrated or ICC) are not touched: resampling them right would
take more than this module should know, and a bundle may be larger but must never be wrong.

The documents themselves are never written: a document with an image to resample is copied
into the build's work folder with those images replaced, and the copy is what is bundled.
The copy is written in batches of about BATCH_BYTES of new image data, so that a 1,000-page
scan costs the worker a batch of memory, not the whole document's images.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name
from PIL import Image

MAX_DPI = 300  # the guidance's ceiling for scans
# Resampled only above 306 dpi: a scan of exactly 300 dpi put on a page whose size was rounded
# to a point is not worth a re-encoding (a JPEG loses a little at each one).
TOLERANCE = 1.02
JPEG_QUALITY = 85
MAX_PIXELS = 150_000_000  # more than a 1,200 dpi A4 scan; anything larger is left alone
# Images of more pixels than this (a photo) have the page's content read to see the size
# they are drawn at, wherever they are; a smaller one only when it would be finer than the
# limit even drawn over the whole page (a scan), so that a page with a logo costs nothing.
LARGE_IMAGE = 4_000_000
BATCH_BYTES = 64 * 1024 * 1024  # new image data held in memory before the copy is written
BILEVEL_THRESHOLD = 170  # grey level under which a resampled 1-bit pixel is black

_GREY = (Name.DeviceGray, Name.CalGray)
_RGB = (Name.DeviceRGB, Name.CalRGB)
# Filters a PDF reader decodes and pikepdf can hand to Pillow; JPXDecode (JPEG 2000) and
# Crypt are left alone.
_DECODABLE = {
    Name.FlateDecode,
    Name.LZWDecode,
    Name.RunLengthDecode,
    Name.ASCII85Decode,
    Name.ASCIIHexDecode,
    Name.CCITTFaxDecode,
    Name.JBIG2Decode,
    Name.DCTDecode,
}


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
        if entry.candidate and key not in in_forms and _kind(entry.image) is not None
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
                if isinstance(image, pikepdf.Stream) and resample(image, item.width, item.height):
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


def resample(image: pikepdf.Stream, width: int, height: int) -> bool:
    """Resample the image XObject `image` to `width` × `height` pixels in place, keeping its
    colour space and, as far as a PDF allows, its kind of encoding. False, and the image
    untouched, when it cannot be done safely."""
    kind = _kind(image)
    if kind is None:
        return False
    try:
        with warnings.catch_warnings():
            # Pillow warns of decompression bombs past 89 Mpx; MAX_PIXELS is the limit here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if kind == "jpeg":
                data, parms = _jpeg(image, width, height), None
            elif kind == "bilevel":
                data, parms = _bilevel(image, width, height)
            else:
                data, parms = _flate(image, width, height)
    except _UNDECODABLE:
        # pikepdf or Pillow could not decode it: the bundle keeps it as it is.
        return False
    if data is None:
        return False
    filter_ = {"jpeg": Name.DCTDecode, "bilevel": Name.CCITTFaxDecode}.get(kind, Name.FlateDecode)
    image.write(data, filter=filter_, decode_parms=parms)
    if parms is None and "/DecodeParms" in image:
        del image["/DecodeParms"]
    image.Width, image.Height = width, height
    image.BitsPerComponent = 1 if kind == "bilevel" else 8
    return True


_UNDECODABLE = (
    pikepdf.PikepdfError,  # a damaged stream, a JBIG2 image and no jbig2dec to decode it
    OSError,
    ValueError,
    NotImplementedError,
    Image.DecompressionBombError,
)


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
                matrix = _times(tuple(float(value) for value in instruction.operands), matrix)
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
    return pixels <= MAX_PIXELS and (pixels > LARGE_IMAGE or pixels > dpi**2 * square_inches)


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


def _kind(image: pikepdf.Stream) -> str | None:
    """How the image is re-encoded, "jpeg", "bilevel" or "flate", or None to leave it."""
    if any(key in image for key in ("/SMask", "/Mask", "/SMaskInData", "/Decode")):
        return None
    if image.get("/ImageMask", False):
        return None
    filters = _filters(image)
    if filters is None or not set(filters) <= _DECODABLE:
        return None
    try:
        bits = int(image.get("/BitsPerComponent", 0))
        pixels = int(image.Width) * int(image.Height)
    except (AttributeError, TypeError, ValueError):
        return None
    components = _components(image.get("/ColorSpace"))
    if components is None or not 0 < pixels <= MAX_PIXELS:
        return None
    if Name.DCTDecode in filters:
        # Only a JPEG on its own, with no parameters (a /ColorTransform saying the data is not
        # what its markers say would be lost).
        plain = filters == [Name.DCTDecode] and "/DecodeParms" not in image
        return "jpeg" if plain and bits == 8 else None
    if bits == 1 and components == 1:
        return "bilevel"
    return "flate" if bits == 8 else None


def _filters(image: pikepdf.Stream) -> list[Name] | None:
    value = image.get("/Filter")
    if value is None:
        return []
    if isinstance(value, Name):
        return [value]
    if isinstance(value, pikepdf.Array) and all(isinstance(item, Name) for item in value):
        return list(value)
    return None


def _components(space: object) -> int | None:
    """1 or 3 for grey and RGB colour spaces, None for any other."""
    if space in _GREY:
        return 1
    if space in _RGB:
        return 3
    if isinstance(space, pikepdf.Array) and len(space) == 2:
        family, parameters = space[0], space[1]
        if family in (Name.CalGray, Name.CalRGB):
            return 1 if family == Name.CalGray else 3
        if family == Name.ICCBased and isinstance(parameters, pikepdf.Stream):
            components = parameters.get("/N")
            return int(components) if components in (1, 3) else None
    return None


# Re-encoding


def _jpeg(image: pikepdf.Stream, width: int, height: int) -> bytes | None:
    picture = Image.open(io.BytesIO(image.read_raw_bytes()))
    if picture.format != "JPEG" or picture.mode not in ("L", "RGB"):
        return None
    if (1 if picture.mode == "L" else 3) != _components(image.get("/ColorSpace")):
        return None
    # libjpeg decodes at 1/2, 1/4 or 1/8 of the size directly: a 600 dpi page at 300 dpi
    # costs a twentieth of decoding it whole.
    picture.draft(picture.mode, (width, height))
    picture = _resized(picture, width, height)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _bilevel(image: pikepdf.Stream, width: int, height: int) -> tuple[bytes | None, object]:
    picture = pikepdf.PdfImage(image).as_pil_image()
    if picture.mode != "1":
        return None, None
    grey = _resized(picture.convert("L"), width, height)
    # A stroke one pixel wide at 600 dpi is half of a pixel at 300: kept, like any pixel
    # that is a third black.
    picture = grey.point(lambda level: 255 if level >= BILEVEL_THRESHOLD else 0).convert("1")
    out = io.BytesIO()
    stride = (width + 7) // 8
    # One strip, as a PDF's CCITT stream is the whole image.
    picture.save(out, format="TIFF", compression="group4", strip_size=stride * height)
    out.seek(0)
    with Image.open(out) as tiff:
        offsets = tiff.tag_v2[273]  # StripOffsets
        counts = tiff.tag_v2[279]  # StripByteCounts
        black_is_zero = tiff.tag_v2[262] == 1  # PhotometricInterpretation
    if len(offsets) != 1 or len(counts) != 1:
        return None, None
    data = out.getvalue()[offsets[0] : offsets[0] + counts[0]]
    # libtiff writes Pillow's 0 (black) as a 1 bit when the photometric is BlackIsZero.
    parms = Dictionary(K=-1, Columns=width, Rows=height, BlackIs1=black_is_zero)
    return data, parms


def _flate(image: pikepdf.Stream, width: int, height: int) -> tuple[bytes | None, object]:
    colours = _components(image.get("/ColorSpace"))
    size = (int(image.Width), int(image.Height))
    # 8 bits a component, no /Decode, no palette (see _kind): qpdf's decoding of the stream
    # (Flate, predictors, LZW...) is the picture's pixels as they are.
    pixels = image.read_bytes()
    if colours is None or len(pixels) != size[0] * size[1] * colours:
        return None, None
    picture = Image.frombytes("L" if colours == 1 else "RGB", size, pixels)
    del pixels
    picture = _resized(picture, width, height)
    out = io.BytesIO()
    # zlib's level 3: on scans, 10% larger than its default (6) in less than half the time.
    picture.save(out, format="PNG", compress_level=3)
    # A PNG's image data is a zlib stream of rows with their PNG filters: exactly what a
    # PDF's Flate with a PNG predictor reads.
    data = b"".join(_png_chunks(out.getvalue(), b"IDAT"))
    parms = Dictionary(Predictor=15, Colors=colours, BitsPerComponent=8, Columns=width)
    return data, parms


def _resized(picture: Image.Image, width: int, height: int) -> Image.Image:
    """`picture` at `width` × `height`: by whole factors, averaging blocks of pixels (a
    600 dpi page at 300 dpi in a twentieth of the time Lanczos takes), then by Lanczos for
    what is left."""
    factor = min(picture.width // width, picture.height // height)
    if factor >= 2:
        picture = picture.reduce(factor)
    if picture.size != (width, height):
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    return picture


def _png_chunks(png: bytes, kind: bytes) -> Iterable[bytes]:
    position = 8  # the signature
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        if png[position + 4 : position + 8] == kind:
            yield png[position + 8 : position + 8 + length]
        position += 12 + length


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
    boxes = [_box(_inherited(page, key)) for key in ("/CropBox", "/MediaBox")]
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


def _box(value: object) -> tuple[float, float, float, float] | None:
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(number) for number in value)
    except (TypeError, ValueError):
        return None
    if x1 == x2 or y1 == y2:
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _user_unit(page: Dictionary) -> float:
    try:
        return float(page.get("/UserUnit", 1))
    except (TypeError, ValueError):
        return 1.0


def _times(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """`m` then `n`, as PDF composes matrices (a `cm` is put before the current matrix)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )
