"""Renditions laid out by an earlier casemgr (format 1: the exhibit's reference and "page X of
Y" in every footer) are made again: by the bundle build before it uses one
(tests/bundles/test_references.py), and for the previews by `manage.py renew_renditions`."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.management import call_command

from casemgr.access.models import MatterMembership
from casemgr.evidence import renditions, storage
from casemgr.evidence.models import ExhibitFile
from casemgr.evidence.tasks import render_exhibit_file
from tests.evidence import files

pytestmark = pytest.mark.django_db

LOG = b"timestamp,account\n2025-11-03T10:00:00Z,nw-0001\n"


def _made_by_an_earlier_casemgr(exhibit_file_id: int) -> ExhibitFile:
    ExhibitFile.objects.filter(pk=exhibit_file_id).update(rendition_format=1)
    return ExhibitFile.objects.get(pk=exhibit_file_id)


def _title(exhibit_file: ExhibitFile) -> str:
    with storage.default_storage.open(exhibit_file.rendition_key, "rb") as handle:
        with pikepdf.open(io.BytesIO(handle.read())) as pdf:
            return str(pdf.docinfo.get("/Title", ""))


def test_a_new_rendition_records_its_format_and_a_current_one_is_left_alone(upload):
    body = upload(LOG, "access.csv").json()
    stored = ExhibitFile.objects.get(pk=body["files"][0]["id"])

    assert stored.rendition == ExhibitFile.Rendition.READY
    assert stored.rendition_format == renditions.FORMAT
    assert render_exhibit_file(stored.pk) == "already ready"


def test_a_stale_email_is_laid_out_again_without_taking_its_attachments_in_twice(upload, world):
    body = upload(files.eml(), "spike.eml").json()
    message = ExhibitFile.objects.get(pk=body["files"][0]["id"])
    assert message.exhibit.files.count() == 2  # the e-mail and its accounts.csv
    stale = _made_by_an_earlier_casemgr(message.pk)
    # The uploader has since left the matter: looking for the attachments as theirs would
    # find nothing, and storing them again would break the one-copy-per-exhibit rule.
    MatterMembership.objects.filter(user=world.paralegal, matter=world.matter).delete()

    assert render_exhibit_file(stale.pk) == "ready"

    message.refresh_from_db()
    assert message.rendition == ExhibitFile.Rendition.READY, message.rendition_error
    assert message.rendition_format == renditions.FORMAT
    assert message.exhibit.files.count() == 2
    assert message.notes == stale.notes
    assert _title(message) == "API spike from rotating accounts"  # its subject


def test_renew_renditions_queues_the_stale_ones_only(upload, capsys):
    log = ExhibitFile.objects.get(pk=upload(LOG, "access.csv").json()["files"][0]["id"])
    letter = ExhibitFile.objects.get(pk=upload(files.pdf(), "letter.pdf").json()["files"][0]["id"])
    _made_by_an_earlier_casemgr(log.pk)
    _made_by_an_earlier_casemgr(letter.pk)  # a PDF is its own rendition: never stale

    call_command("renew_renditions", "--dry-run")
    assert "1 stale rendition(s)." in capsys.readouterr().out
    assert ExhibitFile.objects.get(pk=log.pk).rendition_format == 1

    call_command("renew_renditions")  # tasks run where they are queued in the tests

    assert "1 rendition(s) queued" in capsys.readouterr().out
    log.refresh_from_db()
    assert log.rendition == ExhibitFile.Rendition.READY
    assert log.rendition_format == renditions.FORMAT
    assert _title(log) == "access.csv"
    assert ExhibitFile.objects.get(pk=letter.pk).rendition_format == 1


def test_an_image_rendition_made_before_images_were_fitted_to_a4_is_made_again(upload, capsys):
    """A photo stating no resolution was a page of its pixels at 96 dpi: 4,000 pixels wide,
    a 42-inch page. Format 3 fits it to A4; one made before is stale, a PDF is not."""
    photo = ExhibitFile.objects.get(
        pk=upload(files.image("JPEG", size=(4000, 3000)), "photo.jpg").json()["files"][0]["id"]
    )
    ExhibitFile.objects.filter(pk=photo.pk).update(rendition_format=2)

    call_command("renew_renditions")

    assert "1 rendition(s) queued" in capsys.readouterr().out
    photo.refresh_from_db()
    assert photo.rendition_format == renditions.FORMAT
    with storage.default_storage.open(photo.rendition_key, "rb") as handle:
        with pikepdf.open(io.BytesIO(handle.read())) as pdf:
            width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (842, 595)  # landscape A4
