"""The page number as a reader's viewer draws it: rendered with pdftoppm, not read from the
bytes. A page whose content restores more graphics states than it saved, a footer of the
document's own where the number goes, and the check that renders a sample of pages. And the
front matter in Chinese: printed with a CJK font, never as empty boxes. No database."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image

from casemgr.bundles import marking
from casemgr.bundles.builder import BundleCheckError, Document, Section, Spec, build, check
from tests.bundles.test_builder import text_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils; make test installs it)"
)

A4 = (595, 842)


def drawn_pdf(path: Path, contents: list[bytes], *, size=A4) -> Path:
    """One page per content stream, with Helvetica as /F1."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    for content in contents:
        page = pdf.make_indirect(
            Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, *size]),
                Resources=Dictionary(Font=Dictionary(F1=font)),
                Contents=pdf.make_stream(content),
            )
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def bundle_of(tmp_path: Path, *documents: Document, **spec) -> tuple[Path, object]:
    out = tmp_path / "bundle.pdf"
    spec.setdefault("title", "Trial bundle")
    result = build(Spec(sections=(Section("A", "Documents", documents),), **spec), out)
    return out, result


def rendered(path: Path, page: int, tmp_path: Path) -> Image.Image:
    """Page `page` (from 1) as a viewer shows it, a pixel a point, in grey."""
    target = tmp_path / f"page-{page}"
    subprocess.run(
        [
            shutil.which("pdftoppm"),
            "-cropbox",
            "-r",
            "72",
            "-gray",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            path,
            target,
        ],
        check=True,
    )
    return Image.open(target.with_suffix(".pgm"))


def dark(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Dark pixels in `box` (left, top, right, bottom, in pixels from the top left)."""
    return sum(1 for value in image.crop(box).tobytes() if value < 128)


# A page that restores more than it saves

# Three Q more than q, then the origin moved off the page and the fill made white: before
# the page's content became a form of its own, the number was drawn 3,000 points away.
UNBALANCED = (
    b"q BT /F1 14 Tf 100 420 Td (Malformed page) Tj ET Q Q Q Q "
    b"1 0 0 1 3000 3000 cm 1 g 0 0 10 10 re f"
)


def test_a_page_with_more_q_than_it_saved_keeps_its_number(tmp_path):
    page = drawn_pdf(tmp_path / "bad.pdf", [UNBALANCED])
    out, result = bundle_of(tmp_path, Document("bad", page, "Malformed export"))
    assert result.malformed == (2,)  # the cover and the index come first
    image = rendered(out, 3, tmp_path)
    width, height = image.size
    assert dark(image, (width - 60, height - 28, width - 20, height - 12)) > 5  # "3"
    assert "Malformed page" in pypdf.PdfReader(out).pages[2].extract_text()
    check(out, result)


def test_the_check_renders_pages_and_finds_a_number_drawn_off_the_page(tmp_path):
    page = drawn_pdf(tmp_path / "bad.pdf", [UNBALANCED])
    out, result = bundle_of(tmp_path, Document("bad", page, "Malformed export"))
    with pikepdf.open(out) as pdf:
        # The number's bytes stay in the file (a check of bytes passes), but drawn away.
        stamp = pdf.pages[2].obj.Contents
        stamp.write(stamp.read_bytes().replace(b"Do Q\n", b"Do Q\n1 0 0 1 3000 3000 cm\n"))
        pdf.save(tmp_path / "off.pdf")
    with pytest.raises(BundleCheckError, match="page 3 does not show its number bottom right"):
        check(tmp_path / "off.pdf", result)


def test_the_check_renders_every_malformed_page_and_a_sample_of_the_rest():
    sample = marking.render_sample(10_000, [4_321, 9_998])
    assert {0, 9_999, 4_321, 9_998} <= set(sample)
    assert len(sample) <= marking.RENDERED_SAMPLE + 4
    assert marking.render_sample(5, []) == [0, 1, 2, 3, 4]


# The number hides nothing


def words(path: Path, page: int) -> dict[str, tuple[float, float, float, float]]:
    """Each word of page `page` (from 1) with its box as a viewer draws it (xMin, yMin,
    xMax, yMax, in points from the top left), read by pdftotext, which follows forms."""
    completed = subprocess.run(
        [shutil.which("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), path, "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    found = {}
    for match in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        completed.stdout,
    ):
        found[match[5]] = tuple(float(value) for value in match.groups()[:4])
    return found


def test_the_number_stands_in_a_band_of_its_own_and_covers_nothing(tmp_path):
    # A page inked to its edges, and a footer of the document's own just where the number
    # goes ("CONFIDENTIAL" became "CONFIDEN" under the number's white box).
    inked = b"0 g 0 0 595 842 re f"
    footer = b"BT /F1 10 Tf 500 16 Td (CONFIDENTIAL) Tj ET BT /F1 14 Tf 200 420 Td (Body) Tj ET"
    pages = drawn_pdf(tmp_path / "doc.pdf", [inked, footer])
    out, _ = bundle_of(tmp_path, Document("doc", pages, "Board minutes"))

    image = rendered(out, 3, tmp_path)
    width, height = image.size
    # The inked page is drawn above the band; the band holds the number and nothing else.
    band_left_of_number = (0, height - marking.BAND + 2, width - 70, height)
    assert dark(image, band_left_of_number) == 0
    above_band = (20, 20, width - 20, height - marking.BAND - 20)
    assert dark(image, above_band) > 0.99 * (width - 40) * (height - marking.BAND - 40)
    assert dark(image, (width - 60, height - 28, width - 20, height - 12)) > 5  # "3"

    # The footer is whole and above the band, and the number alone below it.
    placed = words(out, 4)
    footer_box, number_box = placed["CONFIDENTIAL"], placed["4"]
    assert footer_box[3] <= height - marking.BAND  # its bottom is above the band
    assert number_box[1] >= height - marking.BAND  # the number's top is inside it
    assert footer_box[2] < number_box[0] or footer_box[3] < number_box[1]  # no overlap
    image = rendered(out, 4, tmp_path)
    assert dark(image, band_left_of_number) == 0


def test_a_documents_own_links_move_with_its_content(tmp_path):
    path = drawn_pdf(tmp_path / "linked.pdf", [b"BT /F1 14 Tf 100 100 Td (Link) Tj ET"])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Annots = Array(
            [
                pdf.make_indirect(
                    Dictionary(
                        Type=Name.Annot,
                        Subtype=Name.Link,
                        Rect=Array([100, 0, 200, 100]),
                        A=Dictionary(S=Name.URI, URI=pikepdf.String("https://example.com/")),
                    )
                )
            ]
        )
        pdf.save(path)
    out, _ = bundle_of(tmp_path, Document("linked", path, "Linked"))
    with pikepdf.open(out) as pdf:
        left, bottom, right, top = (float(v) for v in pdf.pages[2].obj.Annots[0].Rect)
    assert bottom >= marking.BAND - 0.5  # lifted out of the band with the content
    assert right - left == pytest.approx(100 * (842 - marking.BAND) / 842, abs=0.1)


# Chinese in the front matter

CHINESE_SECTION = "北京知识产权法院 诉讼文书"
CHINESE_DOCUMENT = "民事起诉状（原告：北风智能）"


def test_a_chinese_section_title_is_printed_not_boxed(tmp_path):
    page = text_pdf(tmp_path / "doc.pdf", ["Complaint"])
    out = tmp_path / "bundle.pdf"
    spec = Spec(
        title="Bundle for the PRC proceedings",
        dividers=True,
        sections=(Section("A", CHINESE_SECTION, (Document("c", page, CHINESE_DOCUMENT),)),),
    )
    result = build(spec, out)
    check(out, result)  # fails on any character drawn as .notdef
    with pikepdf.open(out) as pdf:
        front = [pdf.pages[n].obj for n in range(3)]  # cover, index, divider
        assert marking.missing_glyphs(front) == []
        fonts = {
            str(font.get("/BaseFont"))
            for page in front
            for font in marking._page_form(page).Resources.Font.values()
        }
    assert any("CJK" in font for font in fonts), fonts
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages[1:3])
    assert CHINESE_SECTION in text and CHINESE_DOCUMENT in text


def test_the_check_fails_on_characters_no_font_can_print(tmp_path):
    page = text_pdf(tmp_path / "doc.pdf", ["Complaint"])
    out, result = bundle_of(
        tmp_path, Document("c", page, "Tablet \U00013000 inscription"), title="Bundle"
    )
    with pytest.raises(BundleCheckError, match=r"cover, index or dividers .*“𓀀” \(U\+13000\)"):
        check(out, result)
