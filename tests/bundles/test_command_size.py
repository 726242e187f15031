"""`manage.py bundle_pdfs` past the size a court's filing system takes: the warning, and
`--split` into several bundles each under the limit. Files made here; a tiny --max-mb keeps
them small."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pikepdf
import pytest
from django.core.management import call_command
from pikepdf import Dictionary, Name

from tests.bundles.test_command import first_pages


def heavy_pdf(path: Path) -> Path:
    """A one-page PDF of about 24 KB that does not compress: a 90 × 90 picture of noise,
    drawn at 72 dpi (so nothing in it is resampled)."""
    pdf = pikepdf.new()
    image = pdf.make_stream(
        os.urandom(90 * 90 * 3),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=90,
        Height=90,
        ColorSpace=Name.DeviceRGB,
        BitsPerComponent=8,
    )
    page = pdf.add_blank_page(page_size=(595.28, 841.89))
    page.Resources = Dictionary(XObject=Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 90 0 0 90 72 600 cm /Im0 Do Q")
    pdf.save(path, compress_streams=False)
    return path


@pytest.fixture
def heavy(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    return [heavy_pdf(folder / f"Exhibit {n}.pdf") for n in range(1, 6)]


def bundle(out: Path, *paths: Path, options=()) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "bundle_pdfs", "--out", str(out), *options, *map(str, paths), stdout=stdout, stderr=stderr
    )
    return stdout.getvalue(), stderr.getvalue()


LIMIT_MB = 0.07  # 73,400 bytes: two of the exhibits and a cover and index, not three


def test_a_bundle_past_the_limit_is_written_with_a_warning_that_offers_the_split(heavy, tmp_path):
    out = tmp_path / "bundle.pdf"

    summary, warning = bundle(out, *heavy, options=("--max-mb", str(LIMIT_MB)))

    assert out.stat().st_size > LIMIT_MB * 2**20
    assert "5 documents" in summary
    assert "bundle.pdf is " in warning and "0.07 MB" in warning
    assert "court filing systems and e-mail refuse larger files" in warning.lower()
    assert "--split" in warning
    assert warning.count("\n") <= 3  # said once, not per page


def test_no_warning_under_the_limit(heavy, tmp_path):
    _, warning = bundle(tmp_path / "bundle.pdf", *heavy)  # BUNDLE_SIZE_WARNING_MB, 500 MB

    assert warning == ""


def test_split_writes_lettered_bundles_in_order_each_under_the_limit(heavy, tmp_path):
    out = tmp_path / "bundle.pdf"

    summary, warning = bundle(
        out, *heavy, options=("--max-mb", str(LIMIT_MB), "--split", "--title", "Trial bundle")
    )

    assert not out.exists()
    parts = sorted(tmp_path.glob("bundle-*.pdf"))
    assert [part.name for part in parts] == ["bundle-A.pdf", "bundle-B.pdf", "bundle-C.pdf"]
    bookmarks = []
    for letter, part in zip("ABC", parts, strict=True):
        assert part.stat().st_size <= LIMIT_MB * 2**20
        with pikepdf.open(part) as pdf:
            # A bundle of its own: a cover and index, numbered from 1, bookmarks, its letter.
            labels = [page.label for page in pdf.pages]
            assert labels == [str(n) for n in range(1, len(labels) + 1)]
            assert str(pdf.docinfo["/Title"]) == f"Trial bundle (bundle {letter})"
            assert first_pages(pdf, "Index") == [1]
            with pdf.open_outline() as outline:
                bookmarks += [child.title for item in outline.root for child in item.children]
        assert f"{part.name}: " in summary
    # "A1 Exhibit 1 (p. 3)": every exhibit once, in the order given.
    assert [title.split(" ", 1)[1].split(" (p.")[0] for title in bookmarks] == [
        f"Exhibit {n}" for n in range(1, 6)
    ]
    assert "3 bundles" in summary
    assert warning == ""


def test_split_writes_one_bundle_when_it_fits(heavy, tmp_path):
    out = tmp_path / "bundle.pdf"

    summary, warning = bundle(out, *heavy, options=("--split",))

    assert out.exists()
    assert list(tmp_path.glob("bundle-*.pdf")) == []
    assert warning == ""


def test_a_document_larger_than_the_limit_is_a_bundle_of_its_own_and_said_to_be(heavy, tmp_path):
    big = tmp_path / "in" / "Disclosure.pdf"
    with pikepdf.open(heavy[0]) as one, pikepdf.new() as pdf:
        for path in heavy:
            with pikepdf.open(path) as other:
                pdf.pages.extend(other.pages)
        pdf.save(big, compress_streams=False)
        assert len(one.pages) == 1

    summary, warning = bundle(
        tmp_path / "bundle.pdf",
        heavy[0],
        big,
        heavy[1],
        options=("--max-mb", str(LIMIT_MB), "--split"),
    )

    parts = sorted(tmp_path.glob("bundle-*.pdf"))
    assert [part.name for part in parts] == ["bundle-A.pdf", "bundle-B.pdf", "bundle-C.pdf"]
    assert parts[1].stat().st_size > LIMIT_MB * 2**20
    assert "bundle-B.pdf is " in warning and "Disclosure" in warning
