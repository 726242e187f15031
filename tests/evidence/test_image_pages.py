"""An image's rendition is an A4 page: photos shrunk to fit within margins and turned upright
by their EXIF orientation, small images at their own size, the image's bytes untouched.
Every PDF is opened with pikepdf, and the sideways photo is rendered with pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from casemgr.evidence.renditions import render

SHORT, LONG = 595.28, 841.89  # A4 in points
MARGIN = 28.35  # 10 mm


class Drawn:
    """The one page of a rendition, and where its one image is drawn."""

    def __init__(self, pdf: bytes) -> None:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            (page,) = document.pages
            left, bottom, right, top = (float(value) for value in page.MediaBox)
            self.size = (right - left, top - bottom)  # points
            self.rotate = int(page.obj.get("/Rotate", 0))
            (image,) = page.Resources.XObject.values()
            self.image = image.read_raw_bytes()
            ((a, b, c, d, e, f),) = [
                [float(value) for value in instruction.operands]
                for instruction in pikepdf.parse_content_stream(page, "cm")
            ]
        assert b == c == 0
        self.x, self.y, self.width, self.height = e, f, a, d


def photo(path: Path, pixels=(4000, 3000), **save) -> Path:
    """A camera-sized JPEG with no resolution in it, a red block in its top-left corner."""
    picture = Image.new("RGB", pixels, (200, 200, 200))
    ImageDraw.Draw(picture).rectangle((0, 0, pixels[0] // 5, pixels[1] // 5), fill=(220, 0, 0))
    picture.save(path, format="JPEG", quality=70, **save)
    return path


def test_a_photo_with_no_resolution_fills_a_landscape_a4_page_within_margins(tmp_path):
    path = photo(tmp_path / "site visit.jpg")
    assert "dpi" not in Image.open(path).info  # img2pdf would take it as 96 dpi: 41.7 inches

    result = render(path, "jpeg")

    page = Drawn(result.pdf)
    assert page.size == pytest.approx((LONG, SHORT), abs=1)
    assert page.rotate == 0
    # Shrunk, in proportion, until its height meets the margins; centred.
    assert page.height == pytest.approx(SHORT - 2 * MARGIN, abs=1)
    assert page.width == pytest.approx(page.height * 4 / 3, abs=1)
    assert page.x == pytest.approx((LONG - page.width) / 2, abs=1)
    assert page.y == pytest.approx(MARGIN, abs=1)
    assert page.image == path.read_bytes()  # the photo's own bytes


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_a_photo_taken_sideways_is_upright_on_a_portrait_a4_page(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show it
    path = photo(tmp_path / "sideways.jpg", exif=exif.tobytes())
    pdf_path = tmp_path / "sideways.pdf"
    pdf_path.write_bytes(render(path, "jpeg").pdf)

    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "20", "-png", "-singlefile", pdf_path, tmp_path / "seen"],
        check=True,
    )

    with Image.open(tmp_path / "seen.png") as seen:
        width, height = seen.size
        pixels = seen.convert("RGB").load()
    assert (width, height) == pytest.approx((SHORT * 20 / 72, LONG * 20 / 72), abs=2)
    # Shown as the camera meant: the stored top-left corner is now top right.
    red = [
        (x, y)
        for x in range(width)
        for y in range(height)
        if pixels[x, y][0] > 150 and pixels[x, y][1] < 80
    ]
    assert red
    assert min(x for x, _ in red) > width / 2
    assert max(y for _, y in red) < height / 2


def test_a_small_image_is_not_enlarged(tmp_path):
    path = tmp_path / "signature.png"
    Image.new("RGB", (300, 200), "navy").save(path, dpi=(96, 96))

    page = Drawn(render(path, "png").pdf)

    assert page.size == pytest.approx((LONG, SHORT), abs=1)
    assert (page.width, page.height) == pytest.approx((300 * 72 / 96, 200 * 72 / 96), abs=0.5)
    assert (page.x, page.y) == pytest.approx(
        ((LONG - page.width) / 2, (SHORT - page.height) / 2), abs=0.5
    )


def test_a_scanned_a4_page_stays_the_page_it_was_scanned_as(tmp_path):
    """A 300 dpi scan of an A4 page fits A4 at its own size: no margin added around it."""
    path = tmp_path / "scan.png"
    Image.new("L", (2480, 3508), 255).save(path, dpi=(300, 300))

    page = Drawn(render(path, "png").pdf)

    assert page.size == pytest.approx((SHORT, LONG), abs=1)
    assert (page.width, page.height) == pytest.approx((2480 * 72 / 300, 3508 * 72 / 300), abs=0.5)
