"""OCR that cannot run fails with the reason on the file page, keeps the preview, and is
retried from there by a member who may edit."""

import pytest
from django.urls import reverse

from casemgr.access.models import AuditEvent
from casemgr.evidence.models import ExhibitFile, ExhibitPage
from tests.evidence import scans

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_scan(upload, settings):
    """A one-page scan uploaded while the server has no OCRmyPDF."""
    settings.OCR_BINARY = "/nonexistent/ocrmypdf"
    body = upload(scans.pdf([scans.ENGLISH]), "scan.pdf").json()
    settings.OCR_BINARY = "ocrmypdf"
    return body


def _retry_url(world, body):
    return reverse("evidence:file_retry_ocr", args=[world.matter.pk, body["files"][0]["id"]])


def test_without_ocrmypdf_the_file_says_why_and_keeps_its_preview(failed_scan, world, client):
    exhibit_file = ExhibitFile.objects.get(pk=failed_scan["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.FAILED
    assert "OCRmyPDF is not installed" in exhibit_file.ocr_error
    assert exhibit_file.rendition == ExhibitFile.Rendition.READY
    assert exhibit_file.rendition_sha256 == exhibit_file.sha256  # the scan as it came
    client.force_login(world.paralegal)
    page = client.get(reverse("evidence:exhibit", args=[world.matter.pk, failed_scan["id"]]))
    html = page.content.decode()
    assert "OCRmyPDF is not installed" in html
    assert _retry_url(world, failed_scan) in html


def test_retry_reads_the_text_and_is_audited(
    failed_scan, world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.paralegal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_retry_url(world, failed_scan))

    assert response.status_code == 302
    exhibit_file = ExhibitFile.objects.get(pk=failed_scan["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.DONE, exhibit_file.ocr_error
    assert exhibit_file.ocr_error == ""
    text = ExhibitPage.objects.get(file=exhibit_file, number=1).text
    assert scans.ENGLISH in " ".join(text.split())
    event = AuditEvent.objects.get(action="update", detail__ocr="retry")
    assert event.actor == world.paralegal and event.object_id == str(exhibit_file.pk)


def test_only_members_who_may_edit_can_retry_and_only_what_failed(
    failed_scan, world, client, django_capture_on_commit_callbacks
):
    url = _retry_url(world, failed_scan)
    client.force_login(world.outsider)
    assert client.post(url).status_code == 404
    client.force_login(world.paralegal)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert client.post(url).status_code == 409  # read now: nothing to retry
    assert ExhibitFile.objects.get(pk=failed_scan["files"][0]["id"]).ocr == "done"


def test_missing_language_data_fails_with_the_reason(upload, monkeypatch, tmp_path):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # Tesseract finds no languages

    body = upload(scans.pdf([scans.ENGLISH]), "scan.pdf").json()

    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.FAILED
    assert "no OCR language data for English" in exhibit_file.ocr_error
    assert "tesseract-ocr-eng" in exhibit_file.ocr_error
    assert exhibit_file.ocr_languages == "eng"


def test_a_read_only_member_gets_403(failed_scan, world, client):
    client.force_login(world.expert)
    response = client.post(_retry_url(world, failed_scan))
    assert response.status_code == 403
