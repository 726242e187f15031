"""`manage.py ocr_backfill`: files stored before page text and OCR get them, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from casemgr.evidence.models import ExhibitFile, ExhibitPage
from tests.evidence import files, scans

pytestmark = pytest.mark.django_db


def _as_stored_before_ocr(body) -> ExhibitFile:
    """The file as casemgr kept it before OCR and page text: its rendition the scan itself,
    no pages, OCR not checked."""
    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    ExhibitFile.objects.filter(pk=exhibit_file.pk).update(
        rendition_key=exhibit_file.storage_key,
        rendition_sha256=exhibit_file.sha256,
        ocr="",
        ocr_languages="",
    )
    ExhibitPage.objects.filter(file=exhibit_file).delete()
    return exhibit_file


def _backfill(*args) -> str:
    out = StringIO()
    call_command("ocr_backfill", *args, stdout=out)
    return out.getvalue()


def test_backfill_extracts_pages_and_reads_old_scans_once(upload, world):
    scan = _as_stored_before_ocr(upload(scans.pdf(["", scans.ENGLISH]), "scan.pdf").json())
    letter = _as_stored_before_ocr(upload(files.pdf(text="Letter"), "letter.pdf").json())

    first = _backfill("--now", "--matter", world.matter.reference)

    assert "Page text extracted for 2 file(s); text read by OCR for 1, failed for 0." in first
    scan.refresh_from_db()
    assert scan.ocr == ExhibitFile.Ocr.DONE and scan.ocr_unread == [1]
    assert scan.rendition_sha256 != scan.sha256
    text = ExhibitPage.objects.get(file=scan, number=2).text
    assert scans.ENGLISH in " ".join(text.split())
    letter.refresh_from_db()
    assert letter.ocr == ExhibitFile.Ocr.NOT_NEEDED
    assert "Letter page 1" in ExhibitPage.objects.get(file=letter, number=1).text

    again = _backfill("--now")

    assert "Page text extracted for 0 file(s); text read by OCR for 0, failed for 0." in again
    assert ExhibitFile.objects.get(pk=scan.pk).rendition_sha256 == scan.rendition_sha256


def test_a_change_of_the_matters_languages_queues_its_scans_again(
    upload, world, django_capture_on_commit_callbacks
):
    body = upload(scans.pdf([scans.ENGLISH]), "scan.pdf").json()
    world.matter.ocr_languages = "eng+chi_sim"
    world.matter.save(update_fields=["ocr_languages"])

    with django_capture_on_commit_callbacks() as queued:
        output = _backfill()

    assert "OCR queued for 1 file(s)." in output
    assert len(queued) == 1
    exhibit_file = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    assert exhibit_file.ocr == ExhibitFile.Ocr.PENDING


def test_an_unknown_matter_is_refused(db):
    with pytest.raises(Exception, match="No matter has the reference"):
        _backfill("--matter", "NOPE-1")
