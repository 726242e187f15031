"""A redacted PDF really hides: no reader finds the redacted words anywhere in the file, the
pixels under each box are black (text, image and drawing alike), the rest of the page can
still be searched, the other pages are as they were, and the document carries no metadata,
annotations, attachments or scripts. No database: the engine is pure."""

from __future__ import annotations

import hashlib

import pikepdf
import pytest
from weasyprint import HTML

from casemgr.evidence import ocr
from casemgr.redaction.engine import Box, Reason, RedactionError, find, redact
from casemgr.redaction.patterns import PRESETS
from tests.redaction import documents
from tests.redaction.documents import API_KEY, AWS_KEY, EMAIL, SECRET


def _dark_share(image, box, inset: int = 2) -> float:
    x0, y0, x1, y1 = (round(v) for v in box)
    area = image.crop((x0 + inset, y0 + inset, x1 - inset, y1 - inset)).convert("L")
    pixels = list(area.get_flattened_data())
    return sum(p < 60 for p in pixels) / len(pixels)


def _colours(image, box, inset: int = 2) -> set[str]:
    """Which of red and blue (the image's and the drawing's) any pixel inside `box` shows."""
    x0, y0, x1, y1 = (round(v) for v in box)
    found = set()
    for r, g, b in image.crop(
        (x0 + inset, y0 + inset, x1 - inset, y1 - inset)
    ).get_flattened_data():
        if r > 150 and g < 100 and b < 100:
            found.add("red")
        if b > 150 and r < 100 and g < 100:
            found.add("blue")
    return found


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The laden letter, redacted once: the secret, e-mail address and keys found by term
    and pattern on every page, and boxes drawn over the image and the drawing."""
    folder = tmp_path_factory.mktemp("redaction")
    source = documents.laden(folder / "letter.pdf")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    found = find(
        source,
        terms=[SECRET],
        patterns=[PRESETS["email"].regex, PRESETS["api_key"].regex],
        reason=Reason.PRIVILEGE,
    )
    drawn = [
        Box(1, *documents.IMAGE_AT, reason=Reason.COMMERCIAL),
        Box(1, *documents.DRAWING_AT, reason=Reason.PERSONAL_DATA),
    ]
    heard = []
    target = folder / "redacted.pdf"
    result = redact(source, target, found + drawn, progress=lambda *a: heard.append(a))
    return {
        "source": source,
        "target": target,
        "found": found,
        "drawn": drawn,
        "result": result,
        "heard": heard,
        "before": before,
    }


def test_the_source_holds_everything_the_test_looks_for(case):
    # so that the absences below mean something
    source = case["source"]
    extracted = documents.text(source).lower()
    for word in (SECRET, EMAIL, API_KEY, AWS_KEY):
        assert word.lower() in extracted, word
    # WeasyPrint writes glyph numbers, not letters: the secret is in the file's objects
    # through the metadata, comment, form, attachment, script and the line of Helvetica
    blob = documents.strings_anywhere(source)
    assert documents.holds(blob, SECRET)
    assert f"({SECRET} plain) Tj".encode() in blob
    for key in (b"/JavaScript", b"/EmbeddedFile", b"/AcroForm", b"/Annots", b"/Metadata"):
        assert key in blob
    assert _colours(documents.render(source, 1), documents.IMAGE_AT) == {"red"}
    assert _colours(documents.render(source, 1), documents.DRAWING_AT) == {"blue"}


def test_no_reader_finds_the_redacted_words_anywhere_in_the_file(case):
    target = case["target"]
    extracted = documents.text(target).lower()
    blob = documents.strings_anywhere(target)
    for word in (SECRET, EMAIL, API_KEY, AWS_KEY):
        assert word.lower() not in extracted, word
        assert not documents.holds(blob, word), word
    assert "jadeport" not in extracted


def test_the_pixels_under_each_box_are_black(case):
    target = case["target"]
    for box in case["found"] + case["drawn"]:
        image = documents.render(target, box.page)
        # black, but for its white label
        assert _dark_share(image, (box.x0, box.y0, box.x1, box.y1), inset=1) > 0.6, box
    page = documents.render(target, 1)
    assert _colours(page, documents.IMAGE_AT) == set()
    assert _colours(page, documents.DRAWING_AT) == set()
    assert _dark_share(page, documents.IMAGE_AT) > 0.8
    assert _dark_share(page, documents.DRAWING_AT) > 0.8


def test_image_and_drawing_are_gone_from_the_page_not_only_covered(case):
    with pikepdf.open(case["target"]) as pdf:
        page = pdf.pages[0]
        images = [page.Resources.XObject[name] for name in page.Resources.XObject]
        images = [x for x in images if x.Subtype == pikepdf.Name.Image]
        assert len(images) == 1  # the page's own picture, nothing under it
        assert (images[0].Width, images[0].Height) == (2481, 3508)  # A4 at 300 dpi
        assert "/Font" not in page.Resources  # no text of the original's


def test_the_rest_of_a_redacted_page_is_still_searchable_and_other_pages_unchanged(case):
    page_one = " ".join(documents.text(case["target"], page=1).split()).lower()
    for words in ("visible paragraph", "delivery schedules", "stays searchable", "counsel"):
        assert words in page_one
    source_two = documents.text(case["source"], page=2)
    assert documents.text(case["target"], page=2) == source_two
    assert "warehouse inventories" in " ".join(source_two.split())


def test_pagination_and_page_sizes_are_unchanged(case):
    assert case["result"].page_count == 3
    assert case["result"].redacted_pages == (1, 3)
    assert documents.sizes(case["target"]) == documents.sizes(case["source"])
    with pikepdf.open(case["target"]) as pdf:
        assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [0, 0, 0]


def test_a_turned_page_is_redacted_where_it_is_seen(case):
    box = next(b for b in case["found"] if b.page == 3)
    width, height = documents.sizes(case["source"])[2]
    assert width > height  # shown in landscape, stored in portrait
    # the line reads across the page as shown: its box is wide and low, near the top left
    assert box.x1 - box.x0 > 3 * (box.y1 - box.y0)
    assert box.y0 < 100
    image = documents.render(case["target"], 3)
    assert abs(image.width - width) <= 1 and abs(image.height - height) <= 1
    assert _dark_share(image, (box.x0, box.y0, box.x1, box.y1), inset=1) > 0.6
    seen = " ".join(documents.text(case["target"], page=3).split())
    assert "turned page mentions" in seen
    assert "beside the harbour" in seen


def test_metadata_annotations_attachments_and_scripts_are_gone(case):
    with pikepdf.open(case["target"]) as pdf:
        assert "/Info" not in pdf.trailer
        for key in ("/Metadata", "/AcroForm", "/Names", "/OpenAction", "/AA", "/Outlines"):
            assert key not in pdf.Root, key
        assert not pdf.attachments
        for page in pdf.pages:
            for key in ("/Annots", "/AA", "/Thumb", "/PieceInfo"):
                assert key not in page.obj, key
        names = {str(k) for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) for k in obj}
        assert not names & {"/JS", "/Metadata", "/PieceInfo", "/EmbeddedFiles"}
    blob = documents.strings_anywhere(case["target"])
    assert b"/JavaScript" not in blob
    assert b"Fictional Counsel" not in blob


def test_the_source_is_never_changed_and_progress_is_heard(case):
    assert hashlib.sha256(case["source"].read_bytes()).hexdigest() == case["before"]
    assert case["heard"][0] == (0, 2)
    assert case["heard"][-1] == (2, 2)


def test_one_page_at_a_time_gives_the_same_file_as_in_parallel(tmp_path):
    source = documents.letter(tmp_path / "letter.pdf")
    boxes = find(source, terms=[SECRET])
    assert {b.page for b in boxes} == {1, 3}
    redact(source, tmp_path / "one.pdf", boxes, jobs=1)
    redact(source, tmp_path / "two.pdf", boxes, jobs=2)
    assert SECRET.lower() not in documents.text(tmp_path / "one.pdf").lower()
    assert "beside the harbour" in " ".join(documents.text(tmp_path / "one.pdf").split())
    # a task run twice writes the same bytes
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()


def test_a_small_box_is_all_black_without_a_label(tmp_path):
    source = documents.letter(tmp_path / "letter.pdf")
    box = Box(2, 72, 60, 200, 65)  # 5 points high: no room for a label
    redact(source, tmp_path / "out.pdf", [box])
    image = documents.render(tmp_path / "out.pdf", 2, dpi=144)
    assert _dark_share(image, (144, 120, 400, 130), inset=1) == 1.0


@pytest.mark.parametrize(
    ("box", "message"),
    [
        (Box(4, 10, 10, 50, 50), "on page 4, but the document has 3 pages"),
        (Box(0, 10, 10, 50, 50), "on page 0"),
        (Box(1, 500, 10, 700, 50), "runs off page 1"),
        (Box(3, 10, 10, 50, 700), "runs off page 3"),  # the turned page is 595 high
        (Box(1, 10, 10, 10, 50), "has no area"),
        (Box(1, 10, 10, 50, 50, reason="secret"), "not a reason"),
    ],
)
def test_a_box_not_on_the_document_is_refused_before_anything_is_written(tmp_path, box, message):
    source = documents.letter(tmp_path / "letter.pdf")
    with pytest.raises(RedactionError, match=message):
        redact(source, tmp_path / "out.pdf", [box])
    assert not (tmp_path / "out.pdf").exists()


def test_encrypted_unreadable_and_missing_files_are_refused_in_words(tmp_path):
    source = documents.letter(tmp_path / "letter.pdf")
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(source) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="open sesame", owner="owner"))
    with pytest.raises(RedactionError, match="protected by a password"):
        redact(locked, tmp_path / "out.pdf", [Box(1, 10, 10, 50, 50)])
    with pytest.raises(RedactionError, match="protected by a password"):
        find(locked, terms=[SECRET])
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\nthis is not a PDF at all")
    with pytest.raises(RedactionError, match="not a PDF that can be read"):
        redact(junk, tmp_path / "out.pdf", [])
    with pytest.raises(RedactionError, match="no file"):
        find(tmp_path / "missing.pdf", terms=[SECRET])
    with pytest.raises(RedactionError, match="over the original"):
        redact(source, source, [])
    with pytest.raises(RedactionError, match="no folder"):
        redact(source, tmp_path / "absent" / "out.pdf", [])


def test_an_owner_password_only_pdf_is_redacted_and_written_unprotected(tmp_path):
    source = documents.letter(tmp_path / "letter.pdf")
    restricted = tmp_path / "restricted.pdf"
    with pikepdf.open(source) as pdf:
        pdf.save(restricted, encryption=pikepdf.Encryption(user="", owner="owner"))
    redact(restricted, tmp_path / "out.pdf", find(restricted, terms=[SECRET]))
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        assert not pdf.is_encrypted
    assert SECRET.lower() not in documents.text(tmp_path / "out.pdf").lower()


def test_unknown_ocr_languages_are_refused(tmp_path):
    source = documents.letter(tmp_path / "letter.pdf")
    with pytest.raises(RedactionError, match="no OCR language data for xyz"):
        redact(source, tmp_path / "out.pdf", [Box(1, 10, 10, 50, 50)], languages="eng+xyz")
    with pytest.raises(RedactionError, match="not a choice of OCR languages"):
        redact(source, tmp_path / "out.pdf", [Box(1, 10, 10, 50, 50)], languages="-l eng")


def test_a_chinese_page_keeps_its_chinese_text_searchable(tmp_path):
    source = tmp_path / "chinese.pdf"
    HTML(
        string="<style>@page { size: A4; margin: 2cm } p { font: 16pt 'Noto Serif CJK SC' }"
        "</style><p>被告通过轮换账户发送了数百万条提示。</p><p>Contact Quuxberry now.</p>"
    ).write_pdf(source)
    boxes = find(source, terms=[SECRET])
    assert len(boxes) == 1
    redact(source, tmp_path / "out.pdf", boxes, languages="eng+chi_sim")
    read = ocr.join_cjk(" ".join(documents.text(tmp_path / "out.pdf").split()))
    assert "轮换账户" in read
    assert SECRET.lower() not in read.lower()
