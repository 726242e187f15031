"""Images finer than 300 dpi resampled in the bundle, and only there: scans made here with
Pillow and img2pdf, the bundle built by the builder and opened with pikepdf (and pdftoppm to
see that what was resampled still looks like itself). No database."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image, ImageDraw, ImageStat

from casemgr.bundles import images
from casemgr.bundles.builder import Document, Section, Spec, build, check

A4_AT_600 = (4960, 7016)  # pixels
A4_AT_300 = (2480, 3508)
A6_AT_600 = (2480, 3496)


def scan(mode: str, dpi: int, pixels=A4_AT_600) -> Image.Image:
    """A page scanned at `dpi`: lines of text-like strokes, black on white."""
    width, height = pixels
    picture = Image.new(mode, (width, height), "white")
    draw = ImageDraw.Draw(picture)
    step = dpi // 6  # a line every sixth of an inch
    for top in range(step * 2, height - step * 2, step):
        for left in range(step * 2, width - step * 6, step * 4):
            draw.rectangle((left, top, left + step * 3, top + step // 3), fill="black")
    return picture


def scan_pdf(path: Path, picture: Image.Image, dpi: int, fmt: str) -> Path:
    """The scan embedded at its size by img2pdf, as a scanner's PDF has it."""
    data = io.BytesIO()
    options = {"compression": "group4"} if fmt == "TIFF" else {}
    picture.save(data, format=fmt, dpi=(dpi, dpi), **options)
    path.write_bytes(img2pdf.convert(data.getvalue()))
    return path


def bundle_of(tmp_path: Path, *paths: Path):
    spec = Spec(
        title="Trial bundle",
        sections=(
            Section(
                "A",
                "Documents",
                tuple(
                    Document(f"doc:{n}", path, f"Scan {n}", f"S-{n}")
                    for n, path in enumerate(paths)
                ),
            ),
        ),
    )
    out = tmp_path / "bundle.pdf"
    result = build(spec, out)
    check(out, result)
    return out, result


def page_images(pdf: pikepdf.Pdf, number: int) -> list[pikepdf.Stream]:
    """The images drawn by page `number` of a bundle: inside the form that holds the page's
    own content."""
    form = pdf.pages[number].Resources.XObject["/CMBundlePage"]
    return [x for x in form.Resources.XObject.values() if x.Subtype == Name.Image]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rendered(path: Path, page: int, tmp_path: Path) -> Image.Image:
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "30", "-gray", "-f", str(page + 1), "-l", str(page + 1)]
        + ["-singlefile", path, tmp_path / "seen"],
        check=True,
    )
    return Image.open(tmp_path / "seen.pgm")


def test_a_600_dpi_scan_is_300_dpi_in_the_bundle_and_unchanged_on_disk(tmp_path):
    source = scan_pdf(tmp_path / "scan.pdf", scan("L", 600), 600, "JPEG")
    before = digest(source)
    with pikepdf.open(source) as original:
        (was,) = original.pages[0].Resources.XObject.values()
        assert (was.Width, was.Height) == (4960, 7016)

    out, result = bundle_of(tmp_path, source)

    assert result.resampled == 1
    with pikepdf.open(out) as pdf:
        (image,) = page_images(pdf, result.runs[-1].first)
        assert int(image.Width) == pytest.approx(2480, rel=0.02)
        assert int(image.Height) == pytest.approx(3508, rel=0.02)
        assert image.Filter == Name.DCTDecode  # a JPEG stays a JPEG
        assert image.ColorSpace == Name.DeviceGray
    assert digest(source) == before
    assert out.stat().st_size < source.stat().st_size / 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize(
    ("mode", "fmt", "filter_", "bits"),
    [
        ("RGB", "JPEG", Name.DCTDecode, 8),
        ("L", "PNG", Name.FlateDecode, 8),
        ("RGB", "PNG", Name.FlateDecode, 8),
        ("1", "TIFF", Name.CCITTFaxDecode, 1),  # a black-and-white scan stays 1-bit
    ],
)
def test_each_kind_of_scan_keeps_its_kind_and_looks_the_same(tmp_path, mode, fmt, filter_, bits):
    source = scan_pdf(tmp_path / "scan.pdf", scan(mode, 600, A6_AT_600), 600, fmt)
    before = digest(source)

    out, result = bundle_of(tmp_path, source)

    assert result.resampled == 1
    page = result.runs[-1].first
    with pikepdf.open(out) as pdf:
        (image,) = page_images(pdf, page)
        assert int(image.Width) == pytest.approx(1240, rel=0.02)
        assert int(image.Height) == pytest.approx(1748, rel=0.02)
        filters = image.Filter if isinstance(image.Filter, Array) else [image.Filter]
        assert list(filters) == [filter_]
        assert int(image.BitsPerComponent) == bits
    assert digest(source) == before
    # Black strokes on white, as scanned: not inverted, not lost, not shifted.
    seen = ImageStat.Stat(rendered(out, page, tmp_path)).mean[0]
    original = ImageStat.Stat(rendered(source, 0, tmp_path)).mean[0]
    assert 150 < seen < 250
    assert seen == pytest.approx(original, abs=15)


def test_a_300_dpi_scan_goes_in_as_it_is(tmp_path):
    source = scan_pdf(tmp_path / "scan.pdf", scan("L", 300, A4_AT_300), 300, "JPEG")
    with pikepdf.open(source) as original:
        (was,) = original.pages[0].Resources.XObject.values()
        raw = was.read_raw_bytes()

    out, result = bundle_of(tmp_path, source)

    assert result.resampled == 0
    with pikepdf.open(out) as pdf:
        (image,) = page_images(pdf, result.runs[-1].first)
        assert (image.Width, image.Height) == (2480, 3508)
        assert image.read_raw_bytes() == raw  # not re-encoded


def drawing_pdf(path: Path, picture: Image.Image, draws: list[list[str]], **image) -> Path:
    """One A4 page per entry of `draws`, each drawing the same image XObject with the
    content given (e.g. "q 144 0 0 144 72 600 cm /Im0 Do Q")."""
    pdf = pikepdf.new()
    data = io.BytesIO()
    picture.save(data, format="JPEG", quality=80)
    xobject = pdf.make_stream(
        data.getvalue(),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=picture.width,
        Height=picture.height,
        ColorSpace=Name.DeviceGray if picture.mode == "L" else Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
        **image,
    )
    for content in draws:
        page = pdf.add_blank_page(page_size=(595.28, 841.89))
        page.Resources = Dictionary(XObject=Dictionary(Im0=xobject))
        page.Contents = pdf.make_stream("\n".join(content).encode())
    pdf.save(path)
    return path


def test_the_resolution_is_where_the_image_is_drawn_and_a_shared_image_is_resampled_once(
    tmp_path,
):
    """2,400 pixels square: drawn 4 inches wide on one page (600 dpi) and 2 inches on the
    other (1,200 dpi). Resampled once, to 300 dpi where it is drawn largest: 1,200 pixels."""
    source = drawing_pdf(
        tmp_path / "photos.pdf",
        scan("L", 600, (2400, 2400)),
        [
            ["q 288 0 0 288 72 400 cm /Im0 Do Q", "BT ET"],
            ["q 1 0 0 1 72 400 cm q 144 0 0 144 0 0 cm /Im0 Do Q Q"],
        ],
    )

    out, result = bundle_of(tmp_path, source)

    assert result.resampled == 1
    first = result.runs[-1].first
    with pikepdf.open(out) as pdf:
        (one,) = page_images(pdf, first)
        (other,) = page_images(pdf, first + 1)
        assert one.objgen == other.objgen
        assert (one.Width, one.Height) == (1200, 1200)


def test_an_image_drawn_large_is_left_alone_however_many_pixels(tmp_path):
    """The same 2,400 pixels drawn across 8 inches: 300 dpi, so untouched."""
    source = drawing_pdf(
        tmp_path / "photo.pdf", scan("L", 600, (2400, 2400)), [["q 576 0 0 576 9 100 cm /Im0 Do Q"]]
    )

    out, result = bundle_of(tmp_path, source)

    assert result.resampled == 0
    with pikepdf.open(out) as pdf:
        (image,) = page_images(pdf, result.runs[-1].first)
        assert (image.Width, image.Height) == (2400, 2400)


@pytest.mark.parametrize(
    "awkward",
    [
        "soft mask",
        "cmyk",
        "drawn by a form",
        "a cm that is not a matrix",
        "never seen drawn",
    ],
)
def test_what_cannot_be_resampled_safely_is_left_as_it_is(tmp_path, awkward):
    picture = scan("L", 600, (2400, 2400))
    pdf = pikepdf.new()
    data = io.BytesIO()
    (picture.convert("CMYK") if awkward == "cmyk" else picture).save(data, format="JPEG")
    image = pdf.make_stream(
        data.getvalue(),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=picture.width,
        Height=picture.height,
        ColorSpace=Name.DeviceCMYK if awkward == "cmyk" else Name.DeviceGray,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    if awkward == "soft mask":
        image.SMask = pdf.make_stream(
            b"\xff" * 16, Type=Name.XObject, Subtype=Name.Image, Width=4, Height=4,
            ColorSpace=Name.DeviceGray, BitsPerComponent=8,
        )  # fmt: skip
    page = pdf.add_blank_page(page_size=(595.28, 841.89))
    content = b"q 288 0 0 288 72 400 cm /Im0 Do Q"
    resources = Dictionary(XObject=Dictionary(Im0=image))
    if awkward == "drawn by a form":
        form = pdf.make_stream(
            content, Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 595, 842],
            Resources=resources,
        )  # fmt: skip
        # The page draws it too, an inch across: were the form's drawing (4 inches) not
        # taken into account, it would be resampled to 300 pixels, 75 dpi in the form.
        resources = Dictionary(XObject=Dictionary(Fm0=form, Im0=image))
        content = b"/Fm0 Do q 72 0 0 72 300 100 cm /Im0 Do Q"
    if awkward == "a cm that is not a matrix":
        content = b"q 288 0 0 cm /Im0 Do Q"
    if awkward == "never seen drawn":  # the content stops parsing before its Do
        content = b"q 288 0 0 288 72 400 cm [1 2 /Im0 Do Q"
    page.Resources = resources
    page.Contents = pdf.make_stream(content)
    source = tmp_path / "awkward.pdf"
    pdf.save(source)
    raw = image.read_raw_bytes()

    out, result = bundle_of(tmp_path, source)

    assert result.resampled == 0
    with pikepdf.open(out) as bundled:
        found = [
            x
            for x in bundled.objects
            if isinstance(x, pikepdf.Stream)
            and x.get("/Subtype") == Name.Image
            and x.get("/Width") == picture.width
        ]
        assert [x.read_raw_bytes() for x in found] == [raw]


def test_a_long_scan_is_copied_in_batches(tmp_path, monkeypatch):
    """Each page's own 600 dpi image; a batch holds one image's worth of new data, so the
    copy is written three times, and what is left is the copy alone."""
    pages = [scan("L", 600, (1417, 1890)) for _ in range(3)]
    for number, page in enumerate(pages):
        ImageDraw.Draw(page).rectangle((0, 0, 100 * (number + 1), 100), fill="black")
    source = tmp_path / "long.pdf"
    datas = []
    for page in pages:
        data = io.BytesIO()
        page.save(data, format="JPEG", dpi=(600, 600))
        datas.append(data.getvalue())
    source.write_bytes(img2pdf.convert(datas))
    monkeypatch.setattr(images, "BATCH_BYTES", 1)
    work = tmp_path / "work"
    work.mkdir()

    assert images.reduce(source, work / "copy.pdf") == 3

    assert [p.name for p in work.iterdir()] == ["copy.pdf"]
    with pikepdf.open(work / "copy.pdf") as copy, pikepdf.open(source) as original:
        assert len(copy.pages) == 3
        for number in range(3):
            (small,) = copy.pages[number].Resources.XObject.values()
            (large,) = original.pages[number].Resources.XObject.values()
            assert (small.Width, small.Height) == pytest.approx((709, 945), abs=1)
            assert large.Width == 1417
            # Each page keeps its own picture: a bar 50, 100 and 150 pixels long.
            row = pikepdf.PdfImage(small).as_pil_image().crop((0, 25, 200, 26)).tobytes()
            assert sum(1 for level in row if level < 128) == pytest.approx(50 * (number + 1), abs=3)


def test_the_projected_size_counts_what_resampling_saves(tmp_path):
    fine = scan_pdf(tmp_path / "fine.pdf", scan("L", 600), 600, "JPEG")
    plain = scan_pdf(tmp_path / "plain.pdf", scan("L", 300, A4_AT_300), 300, "JPEG")

    assert images.projected_size(plain) == plain.stat().st_size
    assert images.projected_size(fine) < fine.stat().st_size * 0.3
