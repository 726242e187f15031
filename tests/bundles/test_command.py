"""`manage.py bundle_pdfs`: loose PDFs and images in, one checked bundle out, or nothing."""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

import img2pdf
import pikepdf
import pypdf
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from casemgr.bundles import builder
from tests.evidence import files


@pytest.fixture
def inputs(tmp_path, monkeypatch) -> list[Path]:
    """Two text PDFs (3 pages and 1) and a JPEG photo, in a folder of their own; the
    command's temporary files go to a folder the test can look into."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Witness statement.pdf").write_bytes(files.pdf(3, text="Statement"))
    (folder / "Letter before claim.pdf").write_bytes(files.pdf(1, text="Letter"))
    (folder / "photo.jpg").write_bytes(files.image("JPEG", size=(640, 480)))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return [
        folder / "Witness statement.pdf",
        folder / "Letter before claim.pdf",
        folder / "photo.jpg",
    ]


def bundle(out: Path, *paths: Path, options: tuple[str, ...] = ()) -> str:
    stdout = io.StringIO()
    call_command("bundle_pdfs", "--out", str(out), *options, *map(str, paths), stdout=stdout)
    return stdout.getvalue()


def first_pages(pdf: pikepdf.Pdf, *titles: str) -> list[int]:
    """The 0-based page that opens at the one bookmark, at any level, whose title includes
    each of `titles` (the builder adds the tab and page number: "A1 Letter (p. 3)")."""
    pages: dict[str, int] = {}
    with pdf.open_outline() as outline:
        items = list(outline.root)
        while items:
            item = items.pop()
            destination = item.resolved_destination(pdf)
            if destination is None and item.action is not None and "/D" in item.action:
                destination = pikepdf.Destination.from_array(item.action.D)
            if destination is not None:
                pages[item.title] = pikepdf.Page(destination.page).index
            items.extend(item.children)
    found = []
    for title in titles:
        matches = [page for bookmark, page in pages.items() if title in bookmark]
        assert len(matches) == 1, (title, pages)
        found.append(matches[0])
    return found


def test_bundles_pdfs_and_an_image_in_order(inputs, tmp_path):
    out = tmp_path / "bundle.pdf"

    summary = bundle(out, *inputs, options=("--title", "Bundle for the CMC"))

    with pikepdf.open(out) as pdf:
        total = len(pdf.pages)
        front, letter, photo = first_pages(pdf, "Witness statement", "Letter before", "photo")
    assert front >= 2  # a cover and an index
    assert (letter, photo) == (front + 3, front + 4)
    assert total == front + 3 + 1 + 1
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"{total} pages, 3 documents" in summary
    assert f"sha256 {digest}" in summary
    assert "1 scanned page (no text) flagged" in summary  # the photo
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.pdf", "in", "scratch"]
    # The image's rendition is gone (the layout server, if this test started it, keeps a
    # folder of its own there for as long as it runs).
    left = [path for path in (tmp_path / "scratch").iterdir() if not path.name.startswith("pymp-")]
    assert left == []


def test_dividers_add_a_page_before_the_section(inputs, tmp_path):
    bundle(tmp_path / "plain.pdf", *inputs)
    bundle(tmp_path / "divided.pdf", *inputs, options=("--dividers",))

    with (
        pikepdf.open(tmp_path / "plain.pdf") as plain,
        pikepdf.open(tmp_path / "divided.pdf") as divided,
    ):
        assert len(divided.pages) == len(plain.pages) + 1
        assert first_pages(divided, "Witness") == [first_pages(plain, "Witness")[0] + 1]


def test_a_missing_file_is_named(inputs, tmp_path):
    out = tmp_path / "bundle.pdf"
    with pytest.raises(CommandError, match="nowhere.pdf: no such file"):
        bundle(out, inputs[0], tmp_path / "nowhere.pdf")
    assert not out.exists()


def test_other_kinds_of_file_are_refused(inputs, tmp_path):
    note = tmp_path / "in" / "note.txt"
    note.write_bytes(b"Attendance note\n")
    with pytest.raises(CommandError, match="only PDF, JPEG, PNG and TIFF"):
        bundle(tmp_path / "bundle.pdf", inputs[0], note)

    locked = tmp_path / "in" / "locked.pdf"
    locked.write_bytes(files.encrypted_pdf())
    with pytest.raises(CommandError, match="locked.pdf: The PDF is password-protected"):
        bundle(tmp_path / "bundle.pdf", locked)
    assert not (tmp_path / "bundle.pdf").exists()


def test_a_failed_build_leaves_the_previous_file_alone(inputs, tmp_path, monkeypatch):
    out = tmp_path / "bundle.pdf"
    out.write_bytes(b"the version served last week")

    def half_build(spec, path, progress=None):
        path.write_bytes(b"%PDF-1.7 half written")
        raise builder.BundleError("Letter before claim.pdf cannot be read.")

    monkeypatch.setattr(builder, "build", half_build)
    with pytest.raises(CommandError, match="not written: Letter before claim.pdf cannot be read"):
        bundle(out, *inputs)
    assert out.read_bytes() == b"the version served last week"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.pdf", "in", "scratch"]
    assert list((tmp_path / "scratch").iterdir()) == []


def test_a_bundle_that_fails_its_check_is_not_written(inputs, tmp_path, monkeypatch):
    def failing_check(path, result):
        raise builder.BundleCheckError("Page 4 has no page number.")

    monkeypatch.setattr(builder, "check", failing_check)
    with pytest.raises(CommandError, match="Page 4 has no page number"):
        bundle(tmp_path / "bundle.pdf", *inputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "scratch"]


def test_a_photo_is_an_a4_page_and_a_fine_scan_is_resampled(tmp_path):
    """A camera's 4000 × 3000 JPEG (no resolution in it) and a page scanned at 600 dpi."""
    photo = tmp_path / "site visit.jpg"
    photo.write_bytes(files.image("JPEG", size=(4000, 3000)))
    scan = tmp_path / "scan.pdf"
    picture = io.BytesIO()
    Image.new("L", (2480, 3496), 255).save(picture, format="JPEG", dpi=(600, 600))
    scan.write_bytes(img2pdf.convert(picture.getvalue()))
    out = tmp_path / "bundle.pdf"

    summary = bundle(out, photo, scan)

    # The scan, and the photo too: 4000 pixels across 10 inches of A4 is 400 dpi.
    assert "2 images resampled to 300 dpi" in summary
    with pikepdf.open(out) as pdf:
        (first,) = first_pages(pdf, "site visit")
        box = [float(value) for value in pdf.pages[first].MediaBox]
        assert box == pytest.approx([0, 0, 841.89, 595.28], abs=1)  # A4, landscape


def test_the_case_goes_on_the_cover_and_into_the_files_name(inputs, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    stdout = io.StringIO()
    call_command(
        "bundle_pdfs",
        "--out",
        str(folder),
        "--title",
        "Bundle for the CMC",
        "--claim-number",
        "IL-2026-000123",
        "--case-name",
        "Northwind v Jadeport",
        "--court",
        "High Court of Justice",
        "--letter",
        "b",
        *map(str, inputs[:2]),
        stdout=stdout,
    )
    written = folder / "IL-2026-000123 Northwind v Jadeport - Bundle B - v1.pdf"
    assert [path.name for path in folder.iterdir()] == [written.name]
    cover = pypdf.PdfReader(written).pages[0].extract_text()
    for said in (
        "Claim No. IL-2026-000123",
        "High Court of Justice",
        "Bundle B",
        "Northwind v Jadeport",
    ):
        assert said in " ".join(cover.split())


def test_a_letter_that_is_no_bundle_letter_is_refused(inputs, tmp_path):
    with pytest.raises(CommandError, match="not a bundle letter"):
        bundle(tmp_path / "b.pdf", *inputs[:1], options=("--letter", "A1"))


def test_a_pdf_with_only_an_owner_password_is_bundled_as_the_builder_takes_it(inputs, tmp_path):
    """It opens for anyone (the password restricts printing and changes): the app's upload
    refuses it, the command takes it, and the bundle carries no protection."""
    locked = tmp_path / "in" / "Restricted report.pdf"
    with pikepdf.open(inputs[0]) as pdf:
        pdf.save(
            locked,
            encryption=pikepdf.Encryption(
                owner="owner-secret", user="", allow=pikepdf.Permissions(print_highres=False)
            ),
        )
    out = tmp_path / "bundle.pdf"
    bundle(out, locked, inputs[1])
    with pikepdf.open(out) as pdf:
        assert not pdf.is_encrypted
        assert first_pages(pdf, "Restricted report", "Letter before claim") == [2, 5]
