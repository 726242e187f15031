"""Reading evidence: lists, search, pages, downloads and the API, each within clearance."""

import socket
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from casemgr.access.models import AuditEvent
from casemgr.evidence.models import ExhibitFile
from tests.evidence import files
from tests.waiting import wait_for


def test_aeo_exhibit_does_not_exist_for_the_expert(client, api, world, aeo_exhibit):
    exhibit_id = aeo_exhibit["id"]
    file_id = aeo_exhibit["files"][0]["id"]
    m = world.matter.pk
    client.force_login(world.expert)
    listing = client.get(reverse("evidence:exhibits", args=[m])).content.decode()
    assert "AEO-1" not in listing
    search = client.get(reverse("evidence:exhibits", args=[m]), {"q": "weights"}).content.decode()
    assert "AEO-1" not in search
    for url in [
        reverse("evidence:exhibit", args=[m, exhibit_id]),
        reverse("evidence:file_download", args=[m, file_id]),
        reverse("evidence:file_preview", args=[m, file_id]),
    ]:
        assert client.get(url).status_code == 404, url
    expert_api = api(world.expert)
    assert expert_api.get(f"/api/exhibits/{exhibit_id}/").status_code == 404
    assert expert_api.get("/api/exhibits/", {"matter": m}).json()["count"] == 0
    assert expert_api.get("/api/exhibits/", {"search": "weights"}).json()["count"] == 0
    assert AuditEvent.objects.filter(action="denied", actor=world.expert).count() >= 4


def test_partner_finds_it_by_reference_and_by_its_words(client, world, aeo_exhibit):
    client.force_login(world.partner)
    url = reverse("evidence:exhibits", args=[world.matter.pk])
    assert "AEO-1" in client.get(url, {"q": "AEO-1"}).content.decode()
    assert "AEO-1" in client.get(url, {"q": "Model weights summary"}).content.decode()
    assert "AEO-1" not in client.get(url, {"q": "no such words"}).content.decode()


def test_download_checks_hash_sets_headers_and_is_audited(client, world, upload):
    content = files.unique_text()
    body = upload(content, "note.txt").json()
    file_id = body["files"][0]["id"]
    client.force_login(world.associate)
    response = client.get(reverse("evidence:file_download", args=[world.matter.pk, file_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="download")
    assert event.actor == world.associate
    assert event.object_id == str(file_id)


def test_altered_bytes_fail_loudly_and_are_not_sent(client, world, upload):
    body = upload(files.unique_text(), "note.txt").json()
    stored = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    path = Path(settings.MEDIA_ROOT) / stored.storage_key
    path.write_bytes(b"tampered")
    client.force_login(world.partner)
    response = client.get(reverse("evidence:file_download", args=[world.matter.pk, stored.pk]))
    assert response.status_code == 500
    assert b"integrity check" in response.content
    assert b"tampered" not in response.content


def test_preview_is_the_pdf_rendition_inline(client, world, upload):
    body = upload(files.image("PNG", size=(50, 40)), "shot.png").json()
    file_id = body["files"][0]["id"]
    client.force_login(world.expert)
    response = client.get(reverse("evidence:file_preview", args=[world.matter.pk, file_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="view", actor=world.expert).exists()


def test_exhibit_page_shows_hashes_flags_and_preview(client, world, upload):
    body = upload(files.pdf(text="Page text"), "letter.pdf").json()
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, body["id"]]))
    html = page.content.decode()
    assert body["sha256"] in html
    assert 'class="preview"' in html


def test_bulk_edit_sets_references_and_titles(client, world, upload):
    ids = [upload(files.pdf(text=f"Doc {n}"), f"doc{n}.pdf").json()["id"] for n in range(2)]
    client.force_login(world.paralegal)
    url = reverse("evidence:bulk_edit", args=[world.matter.pk]) + "?ids=" + ",".join(map(str, ids))
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}
    for n, pk in enumerate(ids):
        data |= {
            f"form-{n}-id": pk,
            f"form-{n}-prefix": "ma",
            f"form-{n}-number": n + 10,
            f"form-{n}-title": f"Letter {n}",
            f"form-{n}-document_date": "2025-11-17",
            f"form-{n}-document_type": "letter",
            f"form-{n}-designation": "1",
        }
    response = client.post(url, data)
    assert response.status_code == 302
    from casemgr.evidence.models import Exhibit

    assert sorted(e.reference for e in Exhibit.objects.all()) == ["MA-10", "MA-11"]


def raw_upload(live_server, matter_pk, token, body: bytes, declared: int) -> socket.socket:
    """Send an upload over a bare socket, declaring `declared` bytes and sending `body`."""
    host, port = live_server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        (
            f"POST /api/matters/{matter_pk}/exhibits/upload/ HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nAuthorization: Token {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
    )
    return sock


BOUNDARY = "----casemgr"


def multipart(name: str, content: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.mark.django_db(transaction=True)
def test_interrupted_upload_leaves_no_row_and_no_file(live_server, world):
    """The connection drops halfway through the body: nothing is stored. The same request
    sent whole is stored, so the test fails if uploads are refused for another reason."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.paralegal).key
    whole = multipart("whole.pdf", files.pdf(text="Sent whole"))
    with raw_upload(live_server, world.matter.pk, token, whole, len(whole)) as sock:
        assert b" 201 " in sock.recv(4096).split(b"\r\n")[0] + b" "
    assert ExhibitFile.objects.count() == 1

    before = sorted(Path(settings.MEDIA_ROOT).rglob("*"))
    serving = threading.active_count()  # the live server's own threads, between requests
    body = multipart("big.pdf", b"%PDF-1.7\n" + b"0" * 5_000_000)
    with raw_upload(live_server, world.matter.pk, token, body[:1_000_000], len(body)):
        # The server runs each request in a thread of this process: seen, then gone.
        assert wait_for(lambda: threading.active_count() > serving, 10)
    assert wait_for(lambda: threading.active_count() == serving, 30), "the upload never ended"
    assert ExhibitFile.objects.count() == 1
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == before


@pytest.mark.parametrize(
    ("role", "list_status", "upload_status"),
    [("partner", 200, 200), ("paralegal", 200, 200), ("expert", 200, 403), ("outsider", 404, 404)],
)
def test_exhibit_pages_by_role(client, world, role, list_status, upload_status):
    client.force_login(world.user(role))
    m = world.matter.pk
    assert client.get(reverse("evidence:exhibits", args=[m])).status_code == list_status
    assert client.get(reverse("evidence:upload", args=[m])).status_code == upload_status


def test_failed_rendition_says_why_and_can_be_retried(client, world, upload):
    body = upload(files.pdf(text="Retry me"), "retry.pdf").json()
    stored = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    ExhibitFile.objects.filter(pk=stored.pk).update(
        rendition=ExhibitFile.Rendition.FAILED, rendition_error="The PDF could not be read."
    )
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, body["id"]]))
    assert "The PDF could not be read." in page.content.decode()
    retry = reverse("evidence:file_retry", args=[world.matter.pk, stored.pk])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(retry).status_code == 302
    stored.refresh_from_db()
    assert stored.rendition == ExhibitFile.Rendition.READY


def test_pdf_with_javascript_is_accepted_but_flagged_on_its_page(client, world, upload):
    response = upload(files.pdf_with_javascript(), "interactive.pdf")
    assert response.status_code == 201
    assert response.json()["files"][0]["flags"] == ["javascript"]
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, response.json()["id"]]))
    assert "interactive.pdf contains JavaScript" in page.content.decode()


def test_flagged_pdf_is_not_previewed(client, world, upload):
    body = upload(files.pdf_with_javascript(), "interactive.pdf").json()
    file_id = body["files"][0]["id"]
    client.force_login(world.partner)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, body["id"]]))
    assert 'class="preview"' not in page.content.decode()
    preview = client.get(reverse("evidence:file_preview", args=[world.matter.pk, file_id]))
    assert preview.status_code == 409


def test_bulk_edit_is_all_or_nothing(client, world, upload):
    from casemgr.evidence.models import Exhibit

    ids = [upload(files.pdf(text=f"Doc {n}"), f"doc{n}.pdf").json()["id"] for n in range(3)]
    client.force_login(world.paralegal)
    url = reverse("evidence:bulk_edit", args=[world.matter.pk]) + "?ids=" + ",".join(map(str, ids))
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3"}
    for n, (pk, number) in enumerate(zip(ids, [5, 1, 1], strict=True)):
        data |= {
            f"form-{n}-id": pk,
            f"form-{n}-prefix": "NWA",
            f"form-{n}-number": number,
            f"form-{n}-title": f"Doc {n}",
            f"form-{n}-document_type": "other",
            f"form-{n}-designation": "1",
        }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 3 (doc2.pdf), Number: NWA-1 is also given to row 2 (doc1.pdf)." in html
    assert sorted(e.reference for e in Exhibit.objects.all()) == ["NWA-1", "NWA-2", "NWA-3"]


def test_refused_attachments_are_noted_on_the_email(client, world, upload):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@x.example", "b@x.example", "Files"
    message["Date"] = "Mon, 17 Nov 2025 09:12:00 +0000"
    message.set_content("See attached.\n")
    message.add_attachment(
        b"MZ" + b"\0" * 200, maintype="application", subtype="octet-stream", filename="payload.exe"
    )
    message.add_attachment(
        files.pdf(text="ok"), maintype="application", subtype="pdf", filename="ok.pdf"
    )
    body = upload(message.as_bytes(), "files.eml").json()
    email_file = ExhibitFile.objects.get(original_name="files.eml")
    assert any("payload.exe was not stored" in note for note in email_file.notes)
    assert ExhibitFile.objects.filter(original_name="ok.pdf", exhibit_id=body["id"]).exists()
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, body["id"]]))
    assert "payload.exe was not stored" in page.content.decode()


def test_a_rendition_that_keeps_killing_workers_is_given_up(world, upload):
    from casemgr.evidence.tasks import MAX_ATTEMPTS, render_exhibit_file

    body = upload(files.unique_text(), "n.txt").json()
    ExhibitFile.objects.filter(pk=body["files"][0]["id"]).update(
        rendition=ExhibitFile.Rendition.PENDING, rendition_attempts=MAX_ATTEMPTS
    )
    assert render_exhibit_file(body["files"][0]["id"]) == "failed"
    assert "Gave up" in ExhibitFile.objects.get(pk=body["files"][0]["id"]).rendition_error


def test_a_damaged_blob_under_the_hash_is_replaced_by_the_good_upload(world, upload):
    content = files.unique_text()
    import hashlib

    from casemgr.evidence.storage import evidence_key

    sha = hashlib.sha256(content).hexdigest()
    blob = Path(settings.MEDIA_ROOT) / evidence_key(sha)
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(content[:5])  # a write cut off by a crash
    assert upload(content, "note.txt").status_code == 201
    assert blob.read_bytes() == content


def test_an_invalid_filter_is_explained_and_the_others_still_apply(client, world, upload):
    upload(files.pdf(text="Alpha letter"), "alpha.pdf")
    upload(files.pdf(text="Beta letter"), "beta.pdf")
    client.force_login(world.partner)
    url = reverse("evidence:exhibits", args=[world.matter.pk])
    page = client.get(url, {"q": "alpha", "date_from": "not-a-date"}).content.decode()
    assert "This filter was not applied" in page
    assert "alpha" in page and "beta" not in page


def test_a_duplicate_answer_points_at_the_existing_exhibit(upload, world):
    content = files.pdf(text="Point")
    first = upload(content, "p.pdf").json()
    again = upload(content, "p2.pdf")
    assert again.status_code == 409
    assert again.json()["exhibit"] == first["id"]
