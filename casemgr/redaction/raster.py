"""One page redacted: drawn as pixels at 300 dpi (PDFium), each box painted black with its
reason in white, and its text read back by Tesseract into an invisible layer, so that the
rest of the page can still be searched and copied. Pure: no Django.

Nothing of the page's own content survives: the new page is one image and the text Tesseract
read from that image, on a page of the size the original was shown at (rotation and crop box
applied, so /Rotate is 0). What stood under a box, text, image or drawing, was never drawn
into the image, and so cannot be in the text layer either.

`page_redacted` runs in a worker process of its own (engine.redact runs the pages of a
document in parallel): it takes and returns plain values.
"""

from __future__ import annotations

import io
import math
import os
import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import img2pdf
import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFont

from casemgr.core import processes

DPI = 300
SCALE = DPI / 72
TESSERACT_SECONDS = 10 * 60

# A box's label is at most 12 points high and at least 4 (smaller cannot be read: the box is
# then plain black).
_LARGEST_LABEL = 12 * SCALE
_SMALLEST_LABEL = 4 * SCALE

Painted = tuple[float, float, float, float, str]  # x0, y0, x1, y1 (points, as shown), label


class PageFailed(Exception):
    """Why a page could not be redacted, in words a paralegal can act on."""


def page_redacted(
    source: str, index: int, boxes: Sequence[Painted], languages: str, workdir: str
) -> str:
    """Write the page `index` (0-based) of the PDF at `source`, redacted under `boxes`, as a
    one-page PDF in `workdir`, and return its path."""
    work = Path(workdir)
    stem = f"page-{index + 1:06d}"
    image, (width, height) = _drawn(source, index)
    image = _grey_if_colourless(image)
    # Tesseract reads the page with the boxes blank: a black box with a label in the middle
    # of a line splits it, to Tesseract, into columns read one after the other, and a phrase
    # around a box would no longer be found as it is written.
    blank = image.copy()
    paint(blank, boxes, labelled=False)
    read = work / f"{stem}-read.png"
    blank.save(read, dpi=(DPI, DPI), compress_level=1)
    del blank
    text_layer = _read_text(read, work / f"{stem}-text", languages)
    paint(image, boxes)
    picture = work / f"{stem}.png"
    image.save(picture, dpi=(DPI, DPI))
    target = work / f"{stem}.pdf"
    _compose(picture, text_layer, target, width, height)
    for done in (read, picture, text_layer):
        done.unlink()
    return str(target)


def _drawn(source: str, index: int) -> tuple[Image.Image, tuple[float, float]]:
    """The page as it is shown, without its annotations and form fields (which the redacted
    document drops everywhere), and its size in points."""
    document = pdfium.PdfDocument(source)
    try:
        page = document[index]
        size = page.get_size()
        bitmap = page.render(scale=SCALE, draw_annots=False, may_draw_forms=False)
        return bitmap.to_pil().convert("RGB"), size
    finally:
        document.close()


def paint(image: Image.Image, boxes: Sequence[Painted], *, labelled: bool = True) -> None:
    """Each box solid black on `image` (drawn at DPI), every pixel it touches, with its label
    in white in the middle when it fits; without labels, each box solid white."""
    draw = ImageDraw.Draw(image)
    black, white = ((0, 0, 0), (255, 255, 255)) if image.mode == "RGB" else (0, 255)
    if not labelled:
        black = white
    for x0, y0, x1, y1, label in boxes:
        left, top = math.floor(x0 * SCALE), math.floor(y0 * SCALE)
        right = min(image.width, math.ceil(x1 * SCALE)) - 1
        bottom = min(image.height, math.ceil(y1 * SCALE)) - 1
        if right < left or bottom < top:
            continue
        draw.rectangle((left, top, right, bottom), fill=black)
        font = _label_font(label, right - left + 1, bottom - top + 1) if labelled else None
        if font is not None:
            draw.text(
                ((left + right) / 2, (top + bottom) / 2), label, font=font, fill=white, anchor="mm"
            )


def _label_font(label: str, width: int, height: int) -> ImageFont.FreeTypeFont | None:
    """The font for `label` in a box of `width` × `height` pixels: as large as fits with a
    margin, up to 12 points; None if even 4 points would not fit."""
    size = min(_LARGEST_LABEL, height * 0.7)
    if size < _SMALLEST_LABEL:
        return None
    length = _font(round(size)).getlength(label)
    if length > width * 0.9:
        size *= width * 0.9 / length
    if size < _SMALLEST_LABEL:
        return None
    return _font(round(size))


@cache
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(pixels)


def _grey_if_colourless(image: Image.Image) -> Image.Image:
    """A page with no colour as one channel: a third of the bytes, and quicker to read."""
    red, green, blue = image.split()
    if ImageChops.difference(red, green).getbbox() or ImageChops.difference(green, blue).getbbox():
        return image
    return red


# Tesseract reads with its first language and turns to the others only for words it is
# unsure of: with English first, a line of Chinese comes out as English-looking nonsense
# ("BCI RKP RIK"), while with Chinese first an English page reads exactly as with English
# alone (both seen on Tesseract 5.3). So these scripts go first, whatever order was asked.
_READ_FIRST = ("chi_sim", "chi_tra", "jpn", "kor")


def tesseract_order(languages: str) -> str:
    """`languages` ("eng+chi_sim") in the order Tesseract reads them best ("chi_sim+eng")."""
    codes = languages.split("+")
    return "+".join(sorted(codes, key=lambda code: code not in _READ_FIRST))


def _read_text(picture: Path, base: Path, languages: str) -> Path:
    """Tesseract's text of `picture` as a PDF of invisible text only (textonly_pdf), sized
    to the picture at DPI."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise PageFailed(
            "Tesseract is not installed on the server, so the text of a redacted page cannot "
            "be read back. Tell your administrator (Debian package tesseract-ocr)."
        )
    command = [
        tesseract,
        str(picture),
        str(base),
        "-l",
        tesseract_order(languages),
        "--dpi",
        str(DPI),
        "-c",
        "textonly_pdf=1",
        "pdf",
    ]
    # One thread each: the pages already run in parallel, one process per core.
    try:
        code, _, stderr = processes.run(
            command, timeout=TESSERACT_SECONDS, env={"OMP_THREAD_LIMIT": "1"}
        )
    except processes.TimedOut:
        raise PageFailed(
            f"Reading back the text of a redacted page took more than "
            f"{TESSERACT_SECONDS // 60} minutes and was stopped."
        ) from None
    text_layer = base.with_suffix(".pdf")
    if code != 0 or not text_layer.exists():
        detail = " ".join(stderr.split())[-300:]
        raise PageFailed(f"Tesseract could not read a redacted page ({detail or code}).")
    return text_layer


def _compose(picture: Path, text_layer: Path, target: Path, width: float, height: float) -> None:
    """A page `width` × `height` points: the picture over all of it (img2pdf embeds the PNG's
    pixels as they are), and over it the invisible text, stretched from the picture's size at
    DPI (rounded to whole pixels) to the page's."""
    laid_out = img2pdf.convert(
        os.fspath(picture), layout_fun=lambda *_: (width, height, width, height)
    )
    with pikepdf.open(io.BytesIO(laid_out)) as pdf, pikepdf.open(text_layer) as text:
        page = pdf.pages[0]
        source = text.pages[0]
        form = pdf.copy_foreign(source.as_form_xobject())
        _, _, text_width, text_height = (float(n) for n in source.mediabox)
        name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name.OcrText)
        stretch = f"{width / text_width:.6f} 0 0 {height / text_height:.6f} 0 0 cm"
        page.contents_add(pdf.make_stream(f"q {stretch} {name} Do Q".encode()))
        page.obj.Rotate = 0
        page.obj.CropBox = page.obj.MediaBox
        pdf.save(target)
