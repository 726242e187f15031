"""The bundle builder on PDFs made here: what a reader of the finished file sees (page
numbers, labels, links, bookmarks, text) read back with pikepdf and pypdf. No database."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import shutil
import subprocess
import time
from pathlib import Path

import img2pdf
import pikepdf
import pypdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image

from casemgr.bundles.builder import (
    BundleCheckError,
    BundleError,
    Document,
    LateMode,
    Section,
    Spec,
    build,
    check,
    count_pages,
    file_name,
)
from tests.bundles.specs import with_document

# Making input PDFs


def text_pdf(path: Path, texts: list[str], *, size=(595, 842), rotate=0) -> Path:
    """One page per text, in Helvetica. Each page's content leaves the graphics state moved
    and filling white, as careless producers do, which must not move or hide the stamp."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    width, height = size
    for text in texts:
        content = (
            f"BT /F1 14 Tf {width / 2 - 100} {height / 2} Td ({text}) Tj ET 1 0 0 1 150 300 cm 1 g"
        ).encode()
        page = pdf.make_indirect(
            Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, width, height]),
                Resources=Dictionary(Font=Dictionary(F1=font)),
                Contents=pdf.make_stream(content),
            )
        )
        if rotate:
            page.Rotate = rotate
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def inheriting_pdf(path: Path, texts: list[str]) -> Path:
    """Pages with no /MediaBox, /CropBox or /Resources of their own: all inherited from the
    page tree, with a crop box whose origin is not 0,0."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    tree = pdf.Root.Pages
    tree.MediaBox = Array([0, 0, 700, 900])
    tree.CropBox = Array([100, 50, 695, 892])
    tree.Resources = Dictionary(Font=Dictionary(F1=font))
    for text in texts:
        content = f"BT /F1 14 Tf 250 450 Td ({text}) Tj ET".encode()
        page = pdf.make_indirect(
            Dictionary(Type=Name.Page, Parent=tree, Contents=pdf.make_stream(content))
        )
        tree.Kids.append(page)
    tree.Count = len(texts)
    pdf.save(path)
    return path


def scanned_pdf(path: Path) -> Path:
    image = Image.new("L", (300, 400), 255)
    for x in range(40, 260):
        image.putpixel((x, 200), 0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(img2pdf.convert(buffer.getvalue()))
    return path


# Reading the output


def labels_of(path: Path) -> list[str]:
    return list(pypdf.PdfReader(path).page_labels)


def last_word(page: pypdf.PageObject) -> str:
    return page.extract_text().split()[-1]


def multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    ]


def placed_texts(
    page: pypdf.PageObject,
) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    """Each piece of text on the page with where it starts and the direction of its
    baseline, in the page's own (unrotated) space."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            matrix = multiply(tm, cm)
            found.append((text.strip(), (matrix[4], matrix[5]), (matrix[0], matrix[1])))

    page.extract_text(visitor_text=visit)
    return found


def as_viewed(point, box, rotate, *, vector=False):
    """`point` of the page's space where a reader sees it: the page turned clockwise by
    `rotate` degrees, measured from the bottom-left corner of the visible box. Worked out
    by rotating the box's corners, independently of the builder's own table of turns."""
    angle = math.radians(rotate)

    def turn(x, y):
        return x * math.cos(angle) + y * math.sin(angle), -x * math.sin(angle) + y * math.cos(angle)

    if vector:
        return turn(*point)
    corners = [turn(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    left = min(x for x, _ in corners)
    bottom = min(y for _, y in corners)
    x, y = turn(*point)
    width = max(x for x, _ in corners) - left
    height = max(y for _, y in corners) - bottom
    return (x - left) / width, (y - bottom) / height


def outline_of(path: Path) -> list[tuple[str, int, list]]:
    reader = pypdf.PdfReader(path)

    def walk(items):
        tree = []
        for item in items:
            if isinstance(item, list):
                tree[-1][2].extend(walk(item))
            else:
                tree.append((item.title, reader.get_destination_page_number(item), []))
        return tree

    return walk(reader.outline)


def index_links(path: Path, result) -> dict[str, int]:
    """For each index link, the text of the row it covers -> the page it goes to. The row's
    text is what a reader clicks, so it is read from the page, not from the link."""
    reader = pypdf.PdfReader(path)
    index = next(run for run in result.runs if run.kind == "index")
    links = {}
    with pikepdf.open(path) as pdf:
        position = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        for number in range(index.first, index.first + len(index.labels)):
            texts = placed_texts(reader.pages[number])
            for annotation in pdf.pages[number].obj.get("/Annots", []):
                assert annotation.Subtype == Name.Link
                left, bottom, right, top = (float(v) for v in annotation.Rect)
                left, right = sorted((left, right))
                bottom, top = sorted((bottom, top))
                row = " ".join(
                    text for text, (x, y), _ in texts if left <= x <= right and bottom <= y <= top
                )
                assert row not in links
                links[row] = position[annotation.Dest[0].objgen]
    return links


# A first version


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    folder = tmp_path_factory.mktemp("first")
    spec = Spec(
        title="Bundle for the CMC on 12 March 2027",
        case_name="Northwind v Jadeport",
        claim_number="IL-2026-000123",
        court="High Court of Justice",
        prepared_on="1 March 2027",
        dividers=True,
        sections=(
            Section(
                "A",
                "Statements of case",
                (
                    Document(
                        "poc",
                        text_pdf(folder / "poc.pdf", ["Particulars one", "Particulars two"]),
                        "Particulars of Claim",
                        date="12 January 2026",
                    ),
                    Document(
                        "defence",
                        inheriting_pdf(folder / "defence.pdf", ["Defence one", "Defence two"]),
                        "Defence",
                        date="2 February 2026",
                    ),
                ),
            ),
            Section(
                "B",
                "Exhibits",
                (
                    Document(
                        "chart",
                        text_pdf(folder / "chart.pdf", ["Landscape chart"], size=(842, 595)),
                        "Chart of training runs",
                        reference="MA-1",
                    ),
                    Document(
                        "turned",
                        text_pdf(folder / "turned.pdf", ["Turned table"], rotate=90),
                        "Table of API calls",
                        reference="MA-2",
                    ),
                    Document(
                        "scan",
                        scanned_pdf(folder / "scan.pdf"),
                        "Signed licence",
                        reference="MA-3",
                    ),
                ),
            ),
        ),
    )
    out = folder / "bundle.pdf"
    calls = []
    result = build(spec, out, lambda done, total: calls.append((done, total)))
    return spec, out, result, calls


def test_pages_are_numbered_from_the_cover_in_file_order(first):
    _, out, result, _ = first
    # cover, index, divider A, 2 + 2 pages, divider B, 1 + 1 + 1 pages
    assert result.page_count == 11
    assert [(run.key, run.first, run.labels) for run in result.runs] == [
        ("cover", 0, ("1",)),
        ("index", 1, ("2",)),
        ("divider:A", 2, ("3",)),
        ("poc", 3, ("4", "5")),
        ("defence", 5, ("6", "7")),
        ("divider:B", 7, ("8",)),
        ("chart", 8, ("9",)),
        ("turned", 9, ("10",)),
        ("scan", 10, ("11",)),
    ]
    assert labels_of(out) == [str(n) for n in range(1, 12)]
    check(out, result)


def test_every_page_shows_its_number_last(first):
    _, out, result, _ = first
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == result.page_count
    for number, page in enumerate(reader.pages, 1):
        assert last_word(page) == str(number)


def test_the_documents_text_stays_searchable(first):
    _, out, _, _ = first
    reader = pypdf.PdfReader(out)
    text = [page.extract_text() for page in reader.pages]
    assert "Northwind v Jadeport" in text[0]
    assert "Particulars two" in text[4]
    assert "Defence one" in text[5]  # its font is inherited from the page tree
    assert "Landscape chart" in text[8]
    assert "Turned table" in text[9]
    assert "Section B — Exhibits" in text[7]


@pytest.mark.parametrize(
    ("page", "rotate"),
    [(3, 0), (5, 0), (8, 0), (9, 90), (1, 0)],
    ids=["portrait", "inherited crop box", "landscape", "rotated", "index"],
)
def test_the_number_is_bottom_right_and_upright_as_viewed(first, page, rotate):
    _, out, result, _ = first
    reader = pypdf.PdfReader(out)
    shown = reader.pages[page]
    assert shown.rotation == rotate
    box = [float(v) for v in shown.cropbox]
    label, start, direction = placed_texts(shown)[-1]
    assert label == str(page + 1)
    across, up = as_viewed(start, box, rotate)
    assert 0.85 < across < 1 and 0 < up < 0.06, (across, up)
    dx, dy = as_viewed(direction, box, rotate, vector=True)
    assert dx > 0 and abs(dy) < 1e-6  # reads left to right, not turned or upside down


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_rotated_pages_number_is_drawn_bottom_right(first, tmp_path):
    _, out, _, _ = first
    subprocess.run(
        [
            shutil.which("pdftoppm"),
            "-r",
            "72",
            "-gray",
            "-f",
            "10",
            "-l",
            "10",
            "-singlefile",
            out,
            tmp_path / "p",
        ],
        check=True,
    )
    image = Image.open(tmp_path / "p.pgm")
    width, height = image.size
    assert width > height  # a portrait page turned a quarter: seen as landscape

    def dark(left, top, right, bottom):
        return sum(
            1
            for x in range(int(left * width), int(right * width))
            for y in range(int(top * height), int(bottom * height))
            if image.getpixel((x, y)) < 128
        )

    assert dark(0.9, 0.93, 1, 1) > 10  # the number "10", bottom right
    assert dark(0, 0, 0.1, 0.1) == 0  # nothing where an upside-down stamp would be


def test_each_index_row_links_to_its_documents_first_page(first):
    _, out, result, _ = first
    assert index_links(out, result) == {
        "A1 Particulars of Claim 12 January 2026 4–5": 3,
        "A2 Defence 2 February 2026 6–7": 5,
        "B1 Chart of training runs MA-1 9": 8,
        "B2 Table of API calls MA-2 10": 9,
        "B3 Signed licence MA-3 11": 10,
    }


def test_bookmarks_nest_documents_under_their_sections(first):
    _, out, _, _ = first
    assert outline_of(out) == [
        ("Index", 1, []),
        (
            "A Statements of case",
            2,
            [("A1 Particulars of Claim (p. 4)", 3, []), ("A2 Defence (p. 6)", 5, [])],
        ),
        (
            "B Exhibits",
            7,
            [
                ("B1 Chart of training runs (p. 9)", 8, []),
                ("B2 Table of API calls (p. 10)", 9, []),
                ("B3 Signed licence (p. 11)", 10, []),
            ],
        ),
    ]


def test_opens_on_the_cover_at_full_size_with_bookmarks_shown(first):
    _, out, _, _ = first
    with pikepdf.open(out) as pdf:
        action = pdf.Root.OpenAction
        assert action[0].objgen == pdf.pages[0].obj.objgen
        assert list(action[1:]) == [Name.XYZ, None, None, 1]
        assert pdf.Root.PageMode == Name.UseOutlines


def test_a_page_with_only_an_image_is_reported_scanned(first):
    _, _, result, _ = first
    assert result.scanned == (("scan", "11"),)


def test_progress_is_reported_sparingly_up_to_the_total(first):
    _, _, result, calls = first
    assert calls[-1] == (result.page_count, result.page_count)
    assert len(calls) <= result.page_count // 50 + 1


def test_the_result_describes_the_file(first):
    _, out, result, _ = first
    assert result.size == out.stat().st_size
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert result.layout["index_pages"] == 1
    assert [run["key"] for run in result.layout["runs"]][:3] == ["cover", "index", "divider:A"]


def test_an_empty_bundle_has_its_cover_and_index(tmp_path):
    spec = Spec(title="Nothing yet", sections=(Section("A", "Statements of case", ()),))
    result = build(spec, tmp_path / "empty.pdf")
    assert result.page_count == 2
    assert labels_of(tmp_path / "empty.pdf") == ["1", "2"]
    text = pypdf.PdfReader(tmp_path / "empty.pdf").pages[1].extract_text()
    assert "No documents in this section." in text
    check(tmp_path / "empty.pdf", result)


def test_the_index_shows_titles_as_typed_not_as_html(tmp_path):
    title = '<b>Smith & Co</b> <img src="x.png">'
    spec = one_document(text_pdf(tmp_path / "a.pdf", ["A"]), title=title)
    result = build(spec, tmp_path / "out.pdf")
    assert title in pypdf.PdfReader(tmp_path / "out.pdf").pages[1].extract_text()
    assert index_links(tmp_path / "out.pdf", result) == {f"A1 {title} 3": 2}


# Inputs that cannot be bundled


def one_document(path: Path, title="Letter before claim") -> Spec:
    return Spec(title="Bundle", sections=(Section("A", "Letters", (Document("x", path, title),)),))


def test_a_file_that_is_not_a_pdf_is_named(tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_text("Dear Sirs, this is not a PDF.")
    with pytest.raises(BundleError, match='"Letter before claim" is not a PDF'):
        build(one_document(path), tmp_path / "out.pdf")


def test_a_password_protected_pdf_is_named(tmp_path):
    path = text_pdf(tmp_path / "plain.pdf", ["Secret"])
    with pikepdf.open(path) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(BundleError, match='"Letter before claim" is a password-protected PDF'):
        build(one_document(tmp_path / "locked.pdf"), tmp_path / "out.pdf")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(BundleError, match='The file of "Letter before claim" could not be read'):
        build(one_document(tmp_path / "gone.pdf"), tmp_path / "out.pdf")


def test_count_pages(tmp_path):
    assert count_pages(text_pdf(tmp_path / "three.pdf", ["a", "b", "c"])) == 3
    (tmp_path / "note.txt").write_text("not a PDF")
    with pytest.raises(BundleError, match='"note.txt" is not a PDF'):
        count_pages(tmp_path / "note.txt")


# Later versions: served numbers hold


def letters(folder: Path, count: int, pages: int = 1) -> list[Document]:
    return [
        Document(
            f"letter:{n}",
            text_pdf(
                folder / f"letter{n}.pdf", [f"Letter {n} page {p}" for p in range(1, pages + 1)]
            ),
            f"Letter {n}",
        )
        for n in range(1, count + 1)
    ]


def served_spec(folder: Path) -> Spec:
    a = letters(folder, 3, pages=2)
    return Spec(
        title="Trial bundle",
        sections=(
            Section("A", "Statements of case", tuple(a[:2])),
            Section("B", "Correspondence", tuple(a[2:])),
        ),
    )


def runs_by_key(result):
    return {run.key: run for run in result.runs}


def test_late_documents_go_at_the_end_numbered_on(tmp_path):
    v1 = served_spec(tmp_path)
    served = build(v1, tmp_path / "v1.pdf")
    # cover 1, index 2, A1 3-4, A2 5-6, B1 7-8
    late = Document(
        "late", text_pdf(tmp_path / "late.pdf", ["Late one", "Late two"]), "Letter of 2 May 2026"
    )
    v2 = with_document(v1, "A", 1, late, version=2, served=served.layout)
    result = build(v2, tmp_path / "v2.pdf")
    check(tmp_path / "v2.pdf", result)

    before, after = runs_by_key(served), runs_by_key(result)
    for key in ("cover", "index", "letter:1", "letter:2", "letter:3"):
        assert (after[key].first, after[key].labels) == (before[key].first, before[key].labels)
    assert after["late"].labels == ("9", "10") and after["late"].first == 8
    assert after["late"].late and not after["letter:1"].late
    assert labels_of(tmp_path / "v2.pdf") == [str(n) for n in range(1, 11)]
    reader = pypdf.PdfReader(tmp_path / "v2.pdf")
    assert "Late one" in reader.pages[8].extract_text()
    assert last_word(reader.pages[9]) == "10"
    index = reader.pages[1].extract_text()
    assert "Late documents" in index
    assert "A3 Letter of 2 May 2026 (added in version 2)" in index
    assert outline_of(tmp_path / "v2.pdf")[-1] == (
        "Late documents",
        8,
        [("A3 Letter of 2 May 2026 (added in version 2) (p. 9)", 8, [])],
    )
    assert (
        index_links(tmp_path / "v2.pdf", result)[
            "A3 Letter of 2 May 2026 (added in version 2) 9–10"
        ]
        == 8
    )

    # Served in its turn, the late document keeps its numbers and its place.
    later = Document("later", text_pdf(tmp_path / "later.pdf", ["Later"]), "Reply")
    v3 = with_document(v2, "B", 0, later, version=3, served=result.layout)
    third = runs_by_key(build(v3, tmp_path / "v3.pdf"))
    assert third["late"].labels == ("9", "10") and third["late"].late
    assert third["later"].labels == ("11",) and third["later"].first == 10
    assert third["later"].tab == "B2"


def test_late_documents_in_place_are_lettered_after_the_page_before(tmp_path):
    v1 = served_spec(tmp_path)
    served = build(v1, tmp_path / "v1.pdf")
    # cover 1, index 2, A1 3-4, A2 5-6, B1 7-8
    inserted = Document(
        "inserted", text_pdf(tmp_path / "ins.pdf", ["Inserted one", "Inserted two"]), "Notice"
    )
    appended = Document("appended", text_pdf(tmp_path / "app.pdf", ["Appended"]), "Reply")
    v2 = with_document(
        v1, "A", 1, inserted, version=2, served=served.layout, late_mode=LateMode.IN_PLACE
    )
    v2 = with_document(v2, "B", 1, appended)
    result = build(v2, tmp_path / "v2.pdf")
    check(tmp_path / "v2.pdf", result)

    runs = runs_by_key(result)
    assert [run.key for run in result.runs] == [
        "cover",
        "index",
        "letter:1",
        "inserted",
        "letter:2",
        "letter:3",
        "appended",
    ]
    assert runs["inserted"].labels == ("4A", "4B") and runs["inserted"].tab == "A1A"
    assert runs["letter:2"].labels == ("5", "6")
    assert runs["appended"].labels == ("9",)
    labels = ["1", "2", "3", "4", "4A", "4B", "5", "6", "7", "8", "9"]
    assert labels_of(tmp_path / "v2.pdf") == labels
    reader = pypdf.PdfReader(tmp_path / "v2.pdf")
    assert [last_word(page) for page in reader.pages] == labels
    assert "Inserted one" in reader.pages[4].extract_text()
    assert "A1A Notice (added in version 2) 4A–4B" in reader.pages[1].extract_text()
    assert outline_of(tmp_path / "v2.pdf")[1][2][1] == (
        "A1A Notice (added in version 2) (p. 4A)",
        4,
        [],
    )

    # Another document after the same page takes the next letters free.
    again = Document("again", text_pdf(tmp_path / "again.pdf", ["Again"]), "Further notice")
    v3 = with_document(v2, "A", 1, again, version=3, served=result.layout)
    third = build(v3, tmp_path / "v3.pdf")
    assert runs_by_key(third)["again"].labels == ("4C",)
    assert [run.key for run in third.runs][2:5] == ["letter:1", "again", "inserted"]
    check(tmp_path / "v3.pdf", third)


def test_an_index_grown_longer_takes_lettered_pages(tmp_path):
    v1 = served_spec(tmp_path)
    served = build(v1, tmp_path / "v1.pdf")
    many = tuple(
        Document(f"extra:{n}", tmp_path / "letter1.pdf", f"Further letter number {n}")
        for n in range(20)
    )
    v2 = dataclasses.replace(
        v1,
        version=2,
        served=served.layout,
        sections=(*v1.sections, Section("C", "More correspondence", many)),
    )
    result = build(v2, tmp_path / "v2.pdf")
    check(tmp_path / "v2.pdf", result)
    runs = runs_by_key(result)
    assert runs["index"].labels == ("2", "2A")
    assert (runs["letter:1"].first, runs["letter:1"].labels) == (3, ("3", "4"))
    assert runs["extra:0"].labels == ("9", "10")
    assert labels_of(tmp_path / "v2.pdf")[:5] == ["1", "2", "2A", "3", "4"]
    assert last_word(pypdf.PdfReader(tmp_path / "v2.pdf").pages[2]) == "2A"


def test_an_index_grown_shorter_keeps_its_numbers_with_a_blank_page(tmp_path):
    documents = [
        Document(f"doc:{n}", text_pdf(tmp_path / f"doc{n}.pdf", [f"Document {n}"]), f"Letter {n}")
        for n in range(20)
    ]
    # Twenty rows fill the index's first page; the empty sections' headings take a second.
    v1 = Spec(
        title="Bundle",
        sections=(
            Section("A", "Documents", tuple(documents)),
            Section("B", "Expert reports", ()),
            Section("C", "Authorities", ()),
        ),
    )
    served = build(v1, tmp_path / "v1.pdf")
    served_index = runs_by_key(served)["index"].labels
    assert served_index == ("2", "3")
    v2 = Spec(title="Bundle", version=2, served=served.layout, sections=v1.sections[:1])
    result = build(v2, tmp_path / "v2.pdf")
    check(tmp_path / "v2.pdf", result)
    assert result.layout["index_pages"] == 1
    assert runs_by_key(result)["index"].labels == served_index
    assert runs_by_key(result)["doc:0"].labels == runs_by_key(served)["doc:0"].labels == ("4",)
    reader = pypdf.PdfReader(tmp_path / "v2.pdf")
    assert "This page is intentionally left blank" in reader.pages[2].extract_text()
    assert last_word(reader.pages[2]) == "3"
    assert "Document 0" in reader.pages[3].extract_text()


def test_a_served_document_cannot_be_removed(tmp_path):
    v1 = served_spec(tmp_path)
    served = build(v1, tmp_path / "v1.pdf")
    without = dataclasses.replace(
        v1,
        version=2,
        served=served.layout,
        sections=(v1.sections[0], Section("B", "Correspondence", ())),
    )
    with pytest.raises(BundleError, match='"Letter 3" was in the version that was served'):
        build(without, tmp_path / "v2.pdf")


# The final check


@pytest.fixture
def small(tmp_path):
    spec = served_spec(tmp_path)
    out = tmp_path / "bundle.pdf"
    return out, build(spec, out)


def test_the_check_passes_a_good_bundle(small):
    check(*small)


def test_the_check_finds_a_missing_page(small, tmp_path):
    out, result = small
    with pikepdf.open(out) as pdf:
        del pdf.pages[4]
        pdf.save(tmp_path / "short.pdf")
    with pytest.raises(BundleCheckError, match="7 pages instead of 8"):
        check(tmp_path / "short.pdf", result)


def test_the_check_finds_a_bookmark_to_the_wrong_page(small, tmp_path):
    out, result = small
    with pikepdf.open(out) as pdf:
        section = pdf.Root.Outlines.First.Next
        section.First.Dest = Array([pdf.pages[6].obj, Name.Fit])
        pdf.save(tmp_path / "wrong.pdf")
    with pytest.raises(BundleCheckError, match="points at page 7"):
        check(tmp_path / "wrong.pdf", result)


def test_the_check_finds_a_bookmark_outside_the_file(small, tmp_path):
    out, result = small
    with pikepdf.open(out) as pdf:
        stray = pdf.make_indirect(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 10, 10])))
        pdf.Root.Outlines.First.Dest = Array([stray, Name.Fit])
        pdf.save(tmp_path / "stray.pdf")
    with pytest.raises(BundleCheckError, match='"Index" does not point at a page of the file'):
        check(tmp_path / "stray.pdf", result)


def test_the_check_finds_a_page_without_its_number(small, tmp_path):
    out, result = small
    with pikepdf.open(out) as pdf:
        page = pdf.pages[5].obj
        page.Contents = pdf.make_stream(b"q /CMBundlePage Do Q\n")  # the page, no number
        pdf.save(tmp_path / "unstamped.pdf")
    with pytest.raises(BundleCheckError, match='page 6 does not carry its number "6"'):
        check(tmp_path / "unstamped.pdf", result)


def test_the_check_finds_an_index_link_to_the_wrong_page(small, tmp_path):
    out, result = small
    with pikepdf.open(out) as pdf:
        link = pdf.pages[1].obj.Annots[0]
        link.Dest = Array([pdf.pages[0].obj, Name.Fit])
        pdf.save(tmp_path / "link.pdf")
    with pytest.raises(BundleCheckError, match="does not point at its first page"):
        check(tmp_path / "link.pdf", result)


def test_the_check_finds_a_file_that_does_not_open(small, tmp_path):
    _, result = small
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.7\nnothing here")
    with pytest.raises(BundleCheckError, match="does not open"):
        check(tmp_path / "junk.pdf", result)


# File names


def test_file_name():
    assert (
        file_name("IL-2026-000123", "Northwind v Jadeport", "A", 2)
        == "IL-2026-000123 Northwind v Jadeport - Bundle A - v2.pdf"
    )
    assert file_name("", "", "B", 1) == "Bundle B - v1.pdf"
    unsafe = file_name("IL/2026:1", '..\\Evil <name> "x"\x00 * 40' * 5, "C", 3)
    assert unsafe.startswith("IL 2026 1 Evil name x 40")
    assert unsafe.endswith(" - Bundle C - v3.pdf")
    assert len(unsafe) <= 120
    assert set(unsafe) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-")


# Rebuilds and the documents' own bookmarks


def test_identical_inputs_give_an_identical_file(tmp_path):
    """So a rebuild can be verified against a served version by its SHA-256."""
    pages = text_pdf(tmp_path / "poc.pdf", ["Particulars one", "Particulars two"])
    spec = Spec(
        title="Trial bundle",
        prepared_on="1 March 2027",
        dividers=True,
        sections=(Section("A", "Statements of case", (Document("poc", pages, "Particulars"),)),),
    )
    first = build(spec, tmp_path / "first.pdf")
    time.sleep(1.1)  # qpdf seeds a file's random /ID with the time, to the second
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    shutil.copy(pages, copy / "poc.pdf")
    again = build(
        dataclasses.replace(
            spec,
            sections=(
                Section(
                    "A", "Statements of case", (Document("poc", copy / "poc.pdf", "Particulars"),)
                ),
            ),
        ),
        tmp_path / "again.pdf",
    )
    assert again.sha256 == first.sha256
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()


def with_own_bookmarks(path: Path) -> Path:
    """A five-page report with chapters (one reached through a named destination), a
    section under a chapter, and an annex whose title ends as the bundle's own do."""
    text_pdf(path, [f"Report page {n}" for n in range(1, 6)])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        names = pikepdf.NameTree.new(pdf)
        names["annex"] = Array([pdf.pages[4].obj, Name.Fit])
        pdf.Root.Names = Dictionary(Dests=names.obj)
        with pdf.open_outline() as outline:
            one = pikepdf.OutlineItem("1 Introduction", 0)
            two = pikepdf.OutlineItem("2 Findings", 1)
            two.children.append(pikepdf.OutlineItem("2.1 Traffic", 2))
            annex = pikepdf.OutlineItem("Annex (p. 3)")
            annex.action = Dictionary(S=Name.GoTo, D=pikepdf.String("annex"))
            nowhere = pikepdf.OutlineItem("Broken link")
            outline.root.extend([one, two, annex, nowhere])
        pdf.save(path)
    return path


def test_a_documents_own_bookmarks_nest_under_it_at_its_pages(tmp_path):
    report = with_own_bookmarks(tmp_path / "report.pdf")
    letter = text_pdf(tmp_path / "letter.pdf", ["Letter"])
    spec = Spec(
        title="Trial bundle",
        sections=(
            Section(
                "A",
                "Expert evidence",
                (Document("letter", letter, "Letter"), Document("report", report, "Report")),
            ),
        ),
    )
    out = tmp_path / "bundle.pdf"
    result = build(spec, out)
    check(out, result)  # "Annex (p. 3)" is the report's, not taken for a document's
    first = next(run.first for run in result.runs if run.key == "report")
    assert outline_of(out)[1][2][1] == (
        "A2 Report (p. 4)",
        first,
        [
            ("1 Introduction", first, []),
            ("2 Findings", first + 1, [("2.1 Traffic", first + 2, [])]),
            ("Annex (p. 3)", first + 4, []),
        ],
    )
    with pikepdf.open(out) as pdf:
        document = pdf.Root.Outlines.First.Next.First.Next
        assert int(document.Count) < 0  # closed: the pane lists the bundle first
