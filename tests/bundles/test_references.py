"""A bundle page carries one number, the bundle's. An exhibit's rendition holds nothing that
can change after it is made (its reference can: an exhibit is renumbered in bulk details),
and no page number of its own; renditions made before that was so are made again before
they are bundled. The PDFs are real (WeasyPrint, pikepdf) and read back here."""

from __future__ import annotations

import hashlib
import io
import re

import pikepdf
import pypdf
import pytest
from django.urls import reverse

from casemgr.bundles import services
from casemgr.bundles.models import Version
from casemgr.core import layout
from casemgr.evidence import renditions, storage
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from tests.bundles.pages import footer

pytestmark = pytest.mark.django_db

ACCESS_LOG = (
    b"timestamp,account,model,status\n"
    b"2025-11-03T10:00:00Z,nw-0001,lm-7,200\n"
    b"2025-11-03T10:00:01Z,nw-0002,lm-7,200\n"
)


@pytest.fixture
def exhibit_ex3(world, django_capture_on_commit_callbacks):
    """A CSV log uploaded as EX-3, its rendition made as the worker makes it."""
    with (
        IncomingFile.from_bytes(ACCESS_LOG, "api-access.csv") as incoming,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = exhibit_file_ingest(
            matter=world.matter,
            uploaded_by=world.paralegal,
            incoming=incoming,
            metadata={"title": "API access log", "prefix": "EX", "number": 3},
        )
    assert result.exhibit.reference == "EX-3"
    assert ExhibitFile.objects.get(pk=result.file.pk).rendition == ExhibitFile.Rendition.READY
    return result.exhibit


def _renumber(client, world, exhibit, prefix: str, number: int) -> None:
    """As a paralegal does it: in the bulk details page."""
    client.force_login(world.paralegal)
    url = reverse("evidence:bulk_edit", args=[world.matter.pk]) + f"?ids={exhibit.pk}"
    response = client.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": exhibit.pk,
            "form-0-prefix": prefix,
            "form-0-number": number,
            "form-0-title": exhibit.title,
            "form-0-document_type": exhibit.document_type,
            "form-0-designation": exhibit.designation,
        },
    )
    assert response.status_code == 302, response.content[:500]
    exhibit.refresh_from_db()


def _download(client, version: Version) -> bytes:
    url = reverse(
        "bundles:version_download",
        kwargs={"matter_pk": version.bundle.matter_id, "pk": version.bundle_id, "number": 1},
    )
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _document_page(data: bytes, version: Version) -> tuple[pypdf.PageObject, str]:
    """The first page of the bundle's only document, and the number the bundle gives it."""
    (row,) = version.contents
    reader = pypdf.PdfReader(io.BytesIO(data))
    labels = list(reader.page_labels)
    return reader.pages[labels.index(row["first"])], row["first"]


def test_a_renumbered_exhibit_is_bundled_with_the_bundles_page_number_only(
    world, client, exhibit_ex3, make_bundle, build
):
    _renumber(client, world, exhibit_ex3, "NWA", 9)
    assert exhibit_ex3.reference == "NWA-9"
    bundle = make_bundle()
    services.entry_add(
        bundle=bundle,
        section=bundle.sections.get(letter="D"),
        exhibit=exhibit_ex3,
        actor=world.paralegal,
    )

    version = build(bundle)

    assert version.status == Version.Status.READY, version.error
    assert version.contents[0]["reference"] == "NWA-9"  # the index
    data = _download(client, version)
    page, number = _document_page(data, version)
    assert "nw-0002" in page.extract_text()  # the log's own page
    assert footer(page) == [number]  # no "EX-3", no "page 1 of 1" beside it
    every_page = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "EX-3" not in every_page
    assert not re.search(r"page \d+ of \d+", every_page, re.IGNORECASE)


def test_a_rendition_is_titled_by_the_files_own_name_not_the_exhibits_reference(exhibit_ex3):
    stored = exhibit_ex3.files.get()
    with storage.local_copy(stored.rendition_key, stored.rendition_sha256) as path:
        with pikepdf.open(path) as pdf:
            title = str(pdf.docinfo.get("/Title", ""))
            footers = [footer(page) for page in pypdf.PdfReader(path).pages]

    # The preview shows this title: it must not name EX-3 once the exhibit is NWA-9.
    assert title == "api-access.csv"
    assert footers == [[]]  # no reference and no page number of its own


def _old_style_rendition(stored: ExhibitFile) -> None:
    """Give `stored` a rendition as casemgr made them before renditions carried nothing that
    can change: the reference in the footer and title, and "page X of Y"."""
    old = (
        "@page { size: A4; margin: 16mm 14mm 18mm 14mm;"
        ' @bottom-left { content: "EX-3"; font-size: 7.5pt }'
        ' @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 7.5pt }'
        " }"
    )
    pdf = layout.write_pdf(
        "<html><head><title>EX-3</title></head><body><p>nw-0001 nw-0002</p></body></html>",
        old,
        seconds=60,
    )
    sha256 = hashlib.sha256(pdf).hexdigest()
    ExhibitFile.objects.filter(pk=stored.pk).update(
        rendition_key=storage.store_bytes(pdf, storage.rendition_key(sha256)),
        rendition_sha256=sha256,
        rendition_format=1,
    )


def test_a_rendition_stored_with_the_old_footer_is_made_again_before_it_is_bundled(
    world, client, exhibit_ex3, make_bundle, build
):
    stored = exhibit_ex3.files.get()
    _old_style_rendition(stored)
    _renumber(client, world, exhibit_ex3, "NWA", 9)
    bundle = make_bundle()
    services.entry_add(
        bundle=bundle,
        section=bundle.sections.get(letter="D"),
        exhibit=exhibit_ex3,
        actor=world.paralegal,
    )

    version = build(bundle)

    assert version.status == Version.Status.READY, version.error
    page, number = _document_page(_download(client, version), version)
    assert footer(page) == [number]
    assert "EX-3" not in page.extract_text()
    stored.refresh_from_db()
    assert stored.rendition == ExhibitFile.Rendition.READY
    assert stored.rendition_format == renditions.FORMAT
