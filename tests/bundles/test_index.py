"""A bundle's index is paginated before it is laid out: its length is known first, it is laid
out once, and each row keeps its fixed height whatever its title. Built for real (WeasyPrint,
qpdf) and read back with pikepdf and pypdf. No database."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pikepdf
import pypdf
import pytest

from casemgr.bundles import front_matter, index, numbering
from casemgr.bundles.builder import Document, Section, Spec, build, check

UNBROKEN = "x" * 300  # an exhibit title's max_length, without a space to break at
LONG = ("Witness statement of the defendant's chief engineer on the training runs " * 5)[:300]
CHINESE = "北京市海淀区人民法院民事判决书关于模型权重与训练数据的保密协议纠纷" * 4


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """A one-page PDF, bundled as every document here."""
    path = tmp_path_factory.mktemp("index") / "page.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path


def section(letter: str, page: Path, titles: list[str]) -> Section:
    return Section(
        letter,
        f"Section title {letter}",
        tuple(
            Document(f"{letter}:{n}", page, title, f"MA-{n}", "12 March 2026")
            for n, title in enumerate(titles, 1)
        ),
    )


def planned(spec: Spec) -> list[list[index.Part]]:
    """The index's pages as planned from the spec alone, before anything is laid out."""
    counts = {document.key: 1 for section in spec.sections for document in section.documents}
    items = numbering.arrange(spec, counts)
    return index.paginate(numbering.headings(spec, items))


def rows_by_page(path: Path, result) -> list[list[tuple[str, float, float]]]:
    """For each index page, its links in order from the top: (target, top, bottom)."""
    run = next(run for run in result.runs if run.kind == "index")
    with pikepdf.open(path) as pdf:
        pages = []
        for number in range(run.first, run.first + len(run.labels)):
            links = []
            for annotation in pdf.pages[number].obj.get("/Annots", []):
                _, bottom, _, top = (float(v) for v in annotation.Rect)
                links.append((str(annotation.NM), max(top, bottom), min(top, bottom)))
            pages.append(sorted(links, key=lambda link: -link[1]))
    return pages


def index_texts(path: Path, result) -> list[str]:
    run = next(run for run in result.runs if run.kind == "index")
    reader = pypdf.PdfReader(path)
    return [reader.pages[n].extract_text() for n in range(run.first, run.first + len(run.labels))]


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """Counts the layouts of the front matter."""
    render = front_matter._render
    calls: list[int] = []
    monkeypatch.setattr(front_matter, "_render", lambda *a: calls.append(1) or render(*a))
    return calls


# Rows in each section. A first page holds the index's title, a heading, the column headers
# and 20 rows (19 rows leave room for a heading but not for the headers and a row under it);
# a page after holds the column headers and 23 rows.
SIZES = {
    "one row": [1],
    "a first page exactly full": [20],
    "one row over the first page": [21],
    "a heading that would end a page": [19, 5],
    "an empty section that would end a page": [19, 0, 3],
    "headings across pages": [30, 2, 40, 0, 7],
    "titles of every length": [60, 17],
}


def titles(count: int, start: int = 0) -> list[str]:
    """`count` titles, short and long in turn, some of them unbroken or in Chinese."""
    kinds = ["Letter before claim", UNBROKEN, LONG, "Defence", CHINESE, "Reply"]
    return [f"{n} {kinds[n % len(kinds)]}"[:300] for n in range(start, start + count)]


@pytest.mark.parametrize("counts", SIZES.values(), ids=SIZES.keys())
def test_the_index_is_laid_out_once_in_as_many_pages_as_planned(tmp_path, page, renders, counts):
    spec = Spec(
        title="Trial bundle",
        sections=tuple(
            section(chr(ord("A") + n), page, titles(count, 100 * n))
            for n, count in enumerate(counts)
        ),
    )
    plan = planned(spec)
    result = build(spec, tmp_path / "out.pdf")
    check(tmp_path / "out.pdf", result)
    assert len(renders) == 1
    assert result.layout["index_pages"] == len(plan)
    assert [run.first for run in result.runs if run.kind == "document"][:1] == [1 + len(plan)]
    # Each page holds the rows planned for it, and a heading is on the page of its first row.
    pages = rows_by_page(tmp_path / "out.pdf", result)
    rows = [[part.position for part in parts if part.kind == "row"] for parts in plan]
    items = {n: run.key for n, run in enumerate(result.runs[2:])}
    assert [[key for key, _, _ in links] for links in pages] == [
        [items[n] for n in page_rows] for page_rows in rows
    ]
    texts = index_texts(tmp_path / "out.pdf", result)
    for letter, count in zip("ABCDEFG", counts, strict=False):
        heading = f"Section {letter} — Section title {letter}"
        (on,) = [n for n, text in enumerate(texts) if heading in text]
        first = f"{letter}1 " if count else "No documents in this section."
        assert first in texts[on].split(heading, 1)[1]


def test_headings_that_would_end_a_page_start_the_next(tmp_path, page):
    spec = Spec(
        title="Trial bundle",
        sections=(
            section("A", page, ["Letter"] * 19),
            section("B", page, ["Reply"] * 2),
            section("C", page, ["Letter"] * 17),
            section("D", page, []),
        ),
    )
    result = build(spec, tmp_path / "out.pdf")
    texts = index_texts(tmp_path / "out.pdf", result)
    assert len(texts) == 3
    assert "Section B" not in texts[0] and "B1 " not in texts[0]
    assert texts[1].startswith("Section B — Section title B\nTab Document Date Exhibit Pages\nB1")
    assert "Section D" not in texts[1]
    assert texts[2].startswith("Section D — Section title D\nNo documents in this section.")


def test_every_row_has_the_same_height_whatever_its_title(tmp_path, page):
    spec = Spec(title="Trial bundle", sections=(section("A", page, titles(60)),))
    result = build(spec, tmp_path / "out.pdf")
    pages = rows_by_page(tmp_path / "out.pdf", result)
    assert [len(links) for links in pages] == [20, 23, 17]
    for links in pages:
        heights = {round(top - bottom, 2) for _, top, bottom in links}
        assert heights == {index.ROW}
        # Each row starts where the one above it ends: nothing between them grew.
        assert all(
            below[1] == pytest.approx(above[2], abs=0.01)
            for above, below in zip(links, links[1:], strict=False)
        )
    check(tmp_path / "out.pdf", result)
    # A row of 300 unbroken characters shows two lines of them, the second ending in an
    # ellipsis; the columns after it are untouched.
    first = index_texts(tmp_path / "out.pdf", result)[0]
    assert re.search(r"\nA2 1 x{20,}\nx{20,}…\n12 March 2026 MA-2 6\n", first)


def test_a_late_documents_note_survives_a_long_title(tmp_path, page):
    v1 = Spec(title="Trial bundle", sections=(section("A", page, ["Letter before claim"]),))
    served = build(v1, tmp_path / "v1.pdf")
    late = Document("late", page, LONG, "MA-9", "2 May 2026")
    sections = (dataclasses.replace(v1.sections[0], documents=(*v1.sections[0].documents, late)),)
    v2 = dataclasses.replace(v1, version=2, served=served.layout, sections=sections)
    result = build(v2, tmp_path / "v2.pdf")
    check(tmp_path / "v2.pdf", result)
    text = " ".join(index_texts(tmp_path / "v2.pdf", result)[0].split())
    assert "Late documents" in text
    assert f"A2 {LONG[:30]}" in text
    assert "… (added in version 2)" in text
