"""Scanned pages made on the fly: known text drawn onto A4 images, as a scanner would give
them, with no text layer. Kept small (150 dpi by default) so that OCR takes a second or two."""

from __future__ import annotations

import io

import img2pdf
import pikepdf
from PIL import Image, ImageDraw, ImageFont

from casemgr.evidence import image_pages

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

ENGLISH = "The defendant extracted the model's behaviour through its API."
CHINESE = "被告通过应用程序接口提取了模型的行为"


def page(text: str = "", *, dpi: int = 150, font: str = LATIN_FONT) -> Image.Image:
    """An A4 page scanned at `dpi`: `text` in 14-point type an inch from the top left."""
    image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    if text:
        face = ImageFont.truetype(font, round(14 / 72 * dpi))
        ImageDraw.Draw(image).text((dpi, dpi), text, font=face, fill=0)
    return image


def png(text: str, *, dpi: int = 150, font: str = LATIN_FONT) -> bytes:
    out = io.BytesIO()
    page(text, dpi=dpi, font=font).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def pdf(texts: list[str], *, dpi: int = 150, rotate: dict[int, int] | None = None) -> bytes:
    """A scanned PDF, one page per text ("" for a blank page), each page an image and nothing
    else; `rotate` turns pages (1-based number: degrees) as a scanner's /Rotate does."""
    pages = [png(text, dpi=dpi) for text in texts]
    data = img2pdf.convert(pages, layout_fun=image_pages.a4_layout)
    document = pikepdf.open(io.BytesIO(data))
    for number, degrees in (rotate or {}).items():
        document.pages[number - 1].obj.Rotate = degrees
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
