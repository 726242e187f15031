"""Evidence in, through the API and the upload page: accepted by content, hashed, kept once."""

import hashlib
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from casemgr.access.models import AuditEvent
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.models import Matter
from tests.evidence import files

ACCEPTED = [
    ("letter.pdf", files.pdf(pages=3), "pdf", 3),
    ("photo.jpg", files.image("JPEG"), "jpeg", 1),
    ("screenshot.png", files.image("PNG"), "png", 1),
    ("scan.tiff", files.image("TIFF"), "tiff", 1),
    ("note.txt", b"Attendance note: call with counsel about the CMC.\n", "text", 1),
    ("access.csv", files.csv_log(), "csv", 1),
    ("access.jsonl", files.jsonl_log(), "jsonl", 1),
]


@pytest.mark.parametrize(("name", "content", "kind", "pages"), ACCEPTED)
def test_every_accepted_type_is_stored_hashed_and_rendered(
    upload, world, name, content, kind, pages
):
    response = upload(content, name)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["reference"] == "NWA-1"
    stored = ExhibitFile.objects.get(sha256=body["sha256"])
    assert stored.kind == kind
    assert stored.rendition == ExhibitFile.Rendition.READY, stored.rendition_error
    assert stored.page_count == pages
    # Stored under its hash, never under the user's name, and byte for byte.
    assert name not in stored.storage_key
    assert (Path(settings.MEDIA_ROOT) / stored.storage_key).read_bytes() == content


def test_email_attachments_become_files_of_the_same_exhibit(upload, world):
    response = upload(files.eml(), "thread.eml")
    assert response.status_code == 201
    exhibit = Exhibit.objects.get(pk=response.json()["id"])
    names = sorted(exhibit.files.values_list("original_name", flat=True))
    assert names == ["accounts.csv", "thread.eml"]
    attachment = exhibit.files.get(original_name="accounts.csv")
    assert attachment.source.original_name == "thread.eml"
    email_pages = exhibit.files.get(original_name="thread.eml").pages.all()
    assert "2.1M requests" in email_pages[0].text  # the rendition's text, by page
    assert email_pages[0].number == 1


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("tool.exe", b"MZ" + b"\0" * 2000, "not accepted"),
        ("page.html", b"<!DOCTYPE html><html><body><script>x()</script></body></html>", "HTML"),
        ("chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG"),
        ("bundle.zip", b"PK\x05\x06" + b"\0" * 18, "Archives"),
        ("locked.pdf", files.encrypted_pdf(), "password"),
        ("letter.pdf", files.image("PNG"), "PNG"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_files_get_a_reason_and_leave_nothing(upload, world, name, content, phrase):
    response = upload(content, name)
    assert response.status_code == 415, response.content
    assert phrase.lower() in response.json()["detail"].lower()
    assert not ExhibitFile.objects.exists()
    assert not Exhibit.objects.exists()


def test_same_bytes_twice_is_a_duplicate_naming_the_exhibit(upload, world):
    content = files.pdf(text="Terms of service v4.2")
    assert upload(content, "terms.pdf").status_code == 201
    again = upload(content, "terms-copy.pdf")
    assert again.status_code == 409
    assert "NWA-1" in again.json()["detail"]
    assert ExhibitFile.objects.count() == 1


def test_copy_of_a_hidden_exhibit_is_stored_without_naming_it(upload, world, aeo_exhibit):
    """The paralegal may not learn that the document is held as AEO: their copy is stored
    as a new exhibit at their level (the bytes themselves are kept once)."""
    hidden = ExhibitFile.objects.get()
    content = (Path(settings.MEDIA_ROOT) / hidden.storage_key).read_bytes()
    response = upload(content, "copy.pdf", user=world.paralegal)
    assert response.status_code == 201
    assert "AEO" not in response.content.decode()
    copy = ExhibitFile.objects.exclude(pk=hidden.pk).get()
    assert copy.storage_key == hidden.storage_key


def test_dangerous_names_are_refused_whatever_the_content(upload, world):
    for name in ["evil.js", "run.vbs", "page.htm", "tool.exe", "script.ps1"]:
        response = upload(b"var s = 1;\n", name)
        assert response.status_code == 415, name
        assert "rename it to end in .txt" in response.json()["detail"]
    assert not ExhibitFile.objects.exists()


def test_party_of_another_matter_is_refused_on_an_exhibit(api, upload, world):
    from casemgr.access.models import Role
    from tests.factories import member

    member(world.partner, world.other_matter, Role.PARTNER)
    body = upload(files.pdf(text="Party check"), "p.pdf", user=world.partner).json()
    response = api(world.partner).patch(
        f"/api/exhibits/{body['id']}/", {"party": world.other_party.pk}, format="json"
    )
    assert response.status_code == 400
    assert "party" in response.json()


def test_prefix_is_one_reference_whatever_its_case(api, upload, world):
    first = upload(files.pdf(text="One"), "one.pdf").json()
    second = upload(files.pdf(text="Two"), "two.pdf").json()
    response = api(world.partner).patch(
        f"/api/exhibits/{second['id']}/", {"prefix": "nwa", "number": 1}, format="json"
    )
    assert response.status_code == 400
    assert first["reference"] == "NWA-1"


def test_over_the_limit_is_413_and_nothing_is_kept(upload, world, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 10_000
    response = upload(b"A" * 200_000, "big.txt")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert not ExhibitFile.objects.exists()


def test_numbers_run_on_per_prefix(upload, world):
    for n in range(3):
        upload(files.pdf(text=f"Letter {n}"), f"letter-{n}.pdf", prefix="MA")
    upload(files.pdf(text="Other"), "other.pdf")
    assert sorted(e.reference for e in Exhibit.objects.all()) == ["MA-1", "MA-2", "MA-3", "NWA-1"]


def test_read_only_member_cannot_upload(upload, world):
    response = upload(files.pdf(), "x.pdf", user=world.expert)
    assert response.status_code == 403
    assert not ExhibitFile.objects.exists()


def test_outsider_gets_404_for_the_upload_endpoint(upload, world):
    response = upload(files.pdf(), "x.pdf", user=world.outsider)
    assert response.status_code == 404


def test_no_designation_above_own_clearance(upload, world):
    response = upload(files.pdf(), "x.pdf", user=world.paralegal, designation=3)
    assert response.status_code == 403


def test_upload_is_audited(upload, world):
    body = upload(files.pdf(text="Audited"), "audited.pdf").json()
    event = AuditEvent.objects.get(action="create", object_type="evidence.ExhibitFile")
    assert event.actor == world.paralegal
    assert event.detail["sha256"] == body["sha256"]


def test_page_upload_endpoint_answers_per_file_with_csrf(client, world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.paralegal)
    page = browser.get(reverse("evidence:upload", args=[world.matter.pk]))
    token = page.cookies["csrftoken"].value
    # The endpoint the page's script posts to, with the session and its CSRF token.
    url = reverse("api-exhibit-upload", args=[world.matter.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = browser.post(
        url,
        {"file": SimpleUploadedFile("a.pdf", files.pdf()), "prefix": "MA"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 201
    assert ok.json()["reference"] == "MA-1"
    refused = browser.post(
        url, {"file": SimpleUploadedFile("b.exe", b"MZ" + b"\0" * 100)}, HTTP_X_CSRFTOKEN=token
    )
    assert refused.status_code == 415
    assert refused.json()["status"] == "rejected"
    forged = browser.post(url, {"file": SimpleUploadedFile("c.pdf", files.pdf(text="c"))})
    assert forged.status_code == 403
    assert ExhibitFile.objects.count() == 1


def test_every_page_of_a_tiff_counts_against_the_pixel_limit(upload, world, settings, tmp_path):
    from PIL import Image

    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1_000_000
    small, huge = Image.new("1", (100, 100)), Image.new("1", (3000, 3000))
    path = tmp_path / "scan.tiff"
    small.save(path, save_all=True, append_images=[huge], compression="group4")
    response = upload(path.read_bytes(), "scan.tiff")
    assert response.status_code == 415
    assert "9,000,000 pixels" in response.json()["detail"]


@pytest.mark.parametrize(
    ("reference", "prefix"),
    [
        ("NWA-0042", "NWA"),
        ("HRB-0007", "HRB"),
        ("nwa/2026/17", "NWA"),
        ("ACME2026-01", "ACME2026"),
        ("2026-NWA-17", "NWA"),
        ("2026-0117", "EX"),  # no letters to go by
        ("VERYLONGCLIENTNAME-1", "EX"),  # more than a prefix may hold
        ("", "EX"),
    ],
)
def test_the_matters_own_prefix(reference, prefix):
    from casemgr.evidence.references import default_prefix

    assert default_prefix(Matter(reference=reference)) == prefix


def test_the_upload_page_offers_the_matters_prefix(client, world):
    client.force_login(world.paralegal)
    html = client.get(reverse("evidence:upload", args=[world.matter.pk])).content.decode()
    box = lxml.html.fromstring(html).get_element_by_id("upload-prefix")
    assert box.get("value") == "NWA"


def test_an_upload_without_a_prefix_takes_the_matters(upload, world):
    assert upload(files.pdf(text="No prefix"), "a.pdf").json()["reference"] == "NWA-1"
