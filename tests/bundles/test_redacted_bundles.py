"""Redacted bundles: a bundle for the court and all parties uses each exhibit's approved
redaction; a confidentiality-ring bundle can also make its open version in the same build,
page for page the same as the ring's, with redactions in and attorneys'-eyes-only documents
withheld."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pikepdf
import pypdf
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casemgr.access.models import AuditAction, AuditEvent, Clearance
from casemgr.bundles import builder, open_version, services
from casemgr.bundles.models import Bundle, Version
from casemgr.evidence import storage
from casemgr.redaction.models import Redaction
from tests.bundles.pages import footer
from tests.bundles.test_ring import _details
from tests.evidence import files

SECRET = "Orion system prompt"  # what the approved redaction hides
PROPOSED_SECRET = "Vega parameter count"  # what a redaction awaiting approval would hide
AEO_TITLE = "Source code of the Helios sampler"
AEO_PAGES = ["def sample(): # Helios", "return tokens", "# end of sampler"]


def _add(bundle, exhibit, letter="D", user=None):
    return services.entry_add(
        bundle=bundle,
        section=bundle.sections.get(letter=letter),
        exhibit=exhibit,
        actor=user or bundle.created_by,
    )


def _ring_bundle(world, title: str, **fields) -> Bundle:
    bundle = Bundle(
        matter=world.matter,
        proceeding=world.proceeding,
        title=title,
        audience=Bundle.Audience.RING,
        **fields,
    )
    return services.bundle_create(bundle=bundle, actor=world.partner)


def _redaction(world, exhibit, texts: list[str], *, approved: bool) -> Redaction:
    """A redaction of the exhibit's file, applied by hand: a PDF of the same pages, with the
    words to hide replaced, stored as the engine stores its output."""
    exhibit_file = exhibit.files.get()
    data = files.pdf_of_pages(texts)
    sha256 = hashlib.sha256(data).hexdigest()
    key = storage.store_bytes(data, f"redactions/test-{sha256[:16]}.pdf")
    now = timezone.now()
    return Redaction.objects.create(
        file=exhibit_file,
        matter=world.matter,
        source_sha256=exhibit_file.rendition_sha256,
        status=Redaction.Status.APPROVED if approved else Redaction.Status.PROPOSED,
        created_by=world.paralegal,
        storage_key=key,
        sha256=sha256,
        size=len(data),
        page_count=len(texts),
        applied_at=now,
        proposed_by=world.paralegal,
        proposed_at=now,
        reviewed_by=world.partner if approved else None,
        reviewed_at=now + timedelta(minutes=5) if approved else None,
    )


def _text(path: Path, page: int | None = None) -> str:
    """The text pdftotext reads from the file (or one page of it, from 1), its white space
    made single spaces."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return " ".join(
        subprocess.run(
            [shutil.which("pdftotext"), *pages, str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    )


def _download(client, version, *, open_file=False, path: Path) -> Path:
    name = "bundles:version_open_download" if open_file else "bundles:version_download"
    response = client.get(
        reverse(
            name,
            kwargs={
                "matter_pk": version.bundle.matter_id,
                "pk": version.bundle_id,
                "number": version.number,
            },
        )
    )
    assert response.status_code == 200
    path.write_bytes(b"".join(response.streaming_content))
    return path


@pytest.fixture
def redacted(world, add_exhibit):
    """A letter with an approved redaction, and a report whose redaction awaits approval."""
    letter = add_exhibit(
        files.pdf_of_pages([f"Letter quoting the {SECRET}", "Letter signed off"]),
        "letter.pdf",
        title="Letter about the prompt",
    )
    _redaction(world, letter, ["Letter quoting the [REDACTED]", "Letter signed off"], approved=True)
    report = add_exhibit(
        files.pdf_of_pages([f"Report giving the {PROPOSED_SECRET}"]),
        "report.pdf",
        title="Expert report",
    )
    _redaction(world, report, ["Report giving the [REDACTED]"], approved=False)
    return letter, report


# A bundle for the court and all parties


def test_an_all_parties_bundle_uses_approved_redactions_only(
    world, client, redacted, make_bundle, build, tmp_path
):
    letter, report = redacted
    bundle = make_bundle()
    _add(bundle, letter)
    _add(bundle, report)

    version = build(bundle)

    assert version.status == Version.Status.READY, version.error
    text = _text(Path(settings.MEDIA_ROOT) / version.storage_key)
    assert "Letter quoting the [REDACTED]" in text
    assert SECRET not in text
    # Awaiting approval: not used, so the report goes in as it is.
    assert PROPOSED_SECRET in text
    rows = {row["reference"]: row for row in version.contents}
    assert rows[letter.reference]["redaction"]["approved_by"] == world.partner.get_full_name()
    assert "redaction" not in rows[report.reference]
    assert rows[report.reference]["awaiting_redaction"] is True
    assert not version.has_open_version

    client.force_login(world.paralegal)
    page = client.get(bundle.get_absolute_url()).content.decode()
    assert (
        f"uses the approved redaction of {letter.reference} "
        f"(approved by {world.partner.get_full_name()} on "
    ) in page
    assert (
        f"{report.reference} has a redaction awaiting approval; this bundle uses the "
        "unredacted file until the redaction is approved."
    ) in page
    assert f"{report.reference} had a redaction awaiting approval: this version uses" in page


def test_our_sides_bundle_uses_the_unredacted_files(redacted, make_bundle, build):
    letter, _ = redacted
    bundle = make_bundle(audience=Bundle.Audience.OUR_SIDE)
    _add(bundle, letter)

    version = build(bundle)

    assert version.status == Version.Status.READY, version.error
    assert SECRET in _text(Path(settings.MEDIA_ROOT) / version.storage_key)
    assert "redaction" not in version.contents[0]


def test_a_redaction_of_an_older_rendition_is_not_used(world, redacted, make_bundle, build):
    letter, _ = redacted
    Redaction.objects.filter(file__exhibit=letter).update(source_sha256="0" * 64)
    bundle = make_bundle()
    _add(bundle, letter)

    version = build(bundle)

    assert SECRET in _text(Path(settings.MEDIA_ROOT) / version.storage_key)


def test_a_redaction_that_lost_a_page_stops_the_build(world, redacted, make_bundle, build):
    letter, _ = redacted
    Redaction.objects.filter(file__exhibit=letter).delete()
    _redaction(world, letter, ["Letter quoting the [REDACTED]"], approved=True)
    bundle = make_bundle()
    _add(bundle, letter)

    version = build(bundle)

    assert version.status == Version.Status.FAILED
    assert f"The approved redaction of {letter.reference}" in version.error
    assert "has 1 pages where the file has 2" in version.error


# A ring bundle and its open version


@pytest.fixture
def ring(world, redacted, add_exhibit, build):
    letter, report = redacted
    source = add_exhibit(
        files.pdf_of_pages(AEO_PAGES),
        "sampler.pdf",
        title=AEO_TITLE,
        designation=Clearance.AEO,
    )
    plain = add_exhibit(
        files.pdf(pages=2, text="Witness statement of Ada Quill"), "ws.pdf", title="Statement"
    )
    bundle = _ring_bundle(world, "Ring bundle for the trial", open_version=True)
    _add(bundle, plain, "C", world.partner)
    for exhibit in (letter, source, report):
        _add(bundle, exhibit, "D", world.partner)
    version = build(bundle, user=world.partner)
    assert version.status == Version.Status.READY, version.error
    assert version.has_open_version
    ring_path = Path(settings.MEDIA_ROOT) / version.storage_key
    open_path = Path(settings.MEDIA_ROOT) / version.open_storage_key
    return bundle, version, ring_path, open_path, {"letter": letter, "source": source}


def _index_targets(path: Path) -> list[list[int]]:
    """For each index page, the page each of its links opens, in order."""
    with pikepdf.open(path) as pdf:
        position = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        return [
            [position[link.Dest[0].objgen] for link in page.obj.get("/Annots", [])]
            for page in pdf.pages[1:4]
        ]


def _outline(path: Path) -> list[tuple[int, list[int]]]:
    """Each top-level bookmark's page, and its children's pages."""
    reader = pypdf.PdfReader(path)
    tree: list[tuple[int, list[int]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            tree[-1][1].extend(
                reader.get_destination_page_number(child)
                for child in item
                if not isinstance(child, list)
            )
        else:
            tree.append((reader.get_destination_page_number(item), []))
    return tree


def test_the_open_version_is_paginated_as_the_ring_version(ring):
    bundle, version, ring_path, open_path, _ = ring
    ring_pdf, open_pdf = pypdf.PdfReader(ring_path), pypdf.PdfReader(open_path)

    assert len(ring_pdf.pages) == len(open_pdf.pages) == version.page_count
    assert version.open_page_count == version.page_count
    assert list(ring_pdf.page_labels) == list(open_pdf.page_labels)
    assert [footer(page) for page in ring_pdf.pages] == [footer(page) for page in open_pdf.pages]
    assert footer(open_pdf.pages[-1]) == [str(version.page_count)]
    assert _outline(ring_path) == _outline(open_path)
    assert _index_targets(ring_path) == _index_targets(open_path)
    assert [page.mediabox for page in ring_pdf.pages] == [page.mediabox for page in open_pdf.pages]
    assert "Confidentiality ring version" in _text(ring_path, 1)
    assert "Open version" in _text(open_path, 1)


def test_the_open_version_differs_only_where_redacted_or_withheld(ring):
    bundle, version, ring_path, open_path, exhibits = ring
    rows = {row["reference"]: row for row in version.contents}
    letter, source = rows[exhibits["letter"].reference], rows[exhibits["source"].reference]
    redacted_page = int(letter["first"])
    withheld_pages = set(range(int(source["first"]), int(source["last"]) + 1))
    first_document = int(version.contents[0]["first"])
    for number in range(first_document, version.page_count + 1):
        ring_text, open_text = _text(ring_path, number), _text(open_path, number)
        if number == redacted_page:
            assert SECRET in ring_text and SECRET not in open_text
            assert ring_text.replace(SECRET, "[REDACTED]") == open_text
        elif number in withheld_pages:
            words = AEO_PAGES[number - int(source["first"])]
            assert "Withheld from the open version" in open_text
            assert words in ring_text and words not in open_text
        else:
            assert ring_text == open_text, number
    assert letter["open"] == "redacted" and source["open"] == "withheld"
    # The ring version is the exhibits as they are.
    assert SECRET in _text(ring_path)


def test_withheld_documents_titles_are_not_in_the_open_version(ring):
    bundle, version, ring_path, open_path, exhibits = ring
    open_text, ring_text = _text(open_path), _text(ring_path)
    assert AEO_TITLE in ring_text
    assert AEO_TITLE not in open_text and "Helios" not in open_text
    assert "Withheld (attorneys' eyes only)" in open_text
    assert exhibits["source"].reference in open_text  # the row is there, and its pages
    with pikepdf.open(open_path) as pdf, pdf.open_outline() as outline:
        titles = [child.title for item in outline.root for child in item.children]
    assert not any(AEO_TITLE in title for title in titles)
    assert any("Withheld (attorneys' eyes only)" in title for title in titles)
    assert PROPOSED_SECRET in open_text  # awaiting approval: the open version has it whole


@pytest.mark.parametrize(
    ("name", "ring_status", "open_status"),
    [("partner", 200, 200), ("paralegal", 404, 200), ("client", 404, 200)],
)
def test_downloads_follow_clearance(world, client, ring, name, ring_status, open_status):
    bundle, version, *_ = ring
    kwargs = {"matter_pk": world.matter.pk, "pk": bundle.pk, "number": version.number}
    client.force_login(world.user(name))

    ring_download = client.get(reverse("bundles:version_download", kwargs=kwargs))
    open_download = client.get(reverse("bundles:version_open_download", kwargs=kwargs))

    assert ring_download.status_code == ring_status
    assert open_download.status_code == open_status
    assert open_download["Content-Disposition"].endswith('- open version.pdf"')
    page = client.get(bundle.get_absolute_url()).content.decode()
    assert "Open version (redacted)" in page
    assert ("Confidentiality ring version</a>" in page) == (ring_status == 200)
    # Outside the ring, the withheld document is not named.
    assert (AEO_TITLE in page) == (ring_status == 200)
    audited = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, actor=world.user(name))
    assert any(event.detail.get("open version") for event in audited)


def test_the_open_version_is_hidden_once_what_it_shows_is_above_clearance(
    world, client, ring, redacted
):
    bundle, version, *_ = ring
    letter, _ = redacted
    letter.designation = Clearance.CONFIDENTIAL
    letter.save(update_fields=["designation"])
    kwargs = {"matter_pk": world.matter.pk, "pk": bundle.pk, "number": version.number}
    client.force_login(world.user("client"))

    response = client.get(reverse("bundles:version_open_download", kwargs=kwargs))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_a_ring_bundle_without_an_open_version_has_none(world, redacted, build):
    letter, _ = redacted
    bundle = _ring_bundle(world, "Ring only")
    _add(bundle, letter, user=world.partner)

    version = build(bundle, user=world.partner)

    assert version.status == Version.Status.READY, version.error
    assert not version.has_open_version
    assert version.designation == Clearance.AEO
    assert SECRET in _text(Path(settings.MEDIA_ROOT) / version.storage_key)


# The builder's check, without Django


def test_an_open_version_paginated_otherwise_is_refused(tmp_path):
    one = tmp_path / "one.pdf"
    one.write_bytes(files.pdf(pages=2, text="Original"))
    longer = tmp_path / "longer.pdf"
    longer.write_bytes(files.pdf(pages=3, text="Not a redaction"))
    spec = builder.Spec(
        title="Bundle",
        sections=(
            builder.Section(
                "A", "Documents", (builder.Document("d1", one, "Letter", reference="MA-1"),)
            ),
        ),
    )
    ring = builder.build(spec, tmp_path / "ring.pdf")

    with pytest.raises(builder.BundleCheckError, match="would not match"):
        open_version.build(
            spec, ring, {"d1": open_version.Swap(longer)}, tmp_path / "open.pdf", tmp_path
        )


def test_placeholders_keep_each_pages_size_and_rotation(tmp_path):
    source = pikepdf.new()
    source.add_blank_page(page_size=(595, 842))
    source.add_blank_page(page_size=(842, 595))
    source.pages[1].obj.Rotate = 90
    source.save(tmp_path / "source.pdf")

    assert open_version.placeholder(tmp_path / "source.pdf", tmp_path / "out.pdf") == 2

    with pikepdf.open(tmp_path / "out.pdf") as out:
        assert [list(map(float, page.mediabox)) for page in out.pages] == [
            [0, 0, 595, 842],
            [0, 0, 842, 595],
        ]
        assert int(out.pages[1].obj.Rotate) == 90
    assert "Withheld from the open version" in _text(tmp_path / "out.pdf", 2)


# The setting


def _settings(world, **changes) -> dict:
    """A ring bundle's details as its form posts them."""
    return _details(world, **{"audience": Bundle.Audience.RING, **changes})


def test_only_a_ring_bundle_has_an_open_version(client, world):
    url = reverse("bundles:bundle_create", kwargs={"matter_pk": world.matter.pk})
    client.force_login(world.partner)

    refused = client.post(
        url, _settings(world, audience=Bundle.Audience.ALL_PARTIES, open_version="on")
    )
    made = client.post(url, _settings(world, open_version="on"))

    assert "Only a confidentiality-ring bundle has an open version" in refused.content.decode()
    bundle = Bundle.objects.get()
    assert made.status_code == 302 and bundle.open_version
    # Made for readers outside the ring too: the bundle exists for them.
    assert Bundle.objects.visible_to(world.paralegal).filter(pk=bundle.pk).exists()


def test_outside_the_ring_its_audience_and_open_version_cannot_be_changed(client, world):
    bundle = _ring_bundle(world, "Ring bundle", open_version=True)
    url = reverse("bundles:bundle_edit", kwargs={"matter_pk": world.matter.pk, "pk": bundle.pk})
    client.force_login(world.paralegal)

    response = client.post(
        url, _settings(world, title="Renamed", audience=Bundle.Audience.ALL_PARTIES)
    )

    assert response.status_code == 302
    bundle.refresh_from_db()
    assert bundle.title == "Renamed"
    assert (bundle.audience, bundle.open_version) == (Bundle.Audience.RING, True)
