"""`manage.py evidence_verify`: every stored blob read back against its SHA-256, missing and
altered ones named, and a long run resumable where it stopped."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat

from casemgr.access.models import AuditAction, AuditEvent
from casemgr.bundles import services as bundles
from casemgr.bundles.models import Version
from casemgr.evidence.models import ExhibitFile
from tests.bundles.making import bundle_of
from tests.evidence import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def verify(tmp_path):
    """`verify(*args)`: run the command with its state in a folder of the test's own; the
    output (stdout, stderr) and the CommandError it ended with, if any."""

    def run(*args, state: Path | None = tmp_path / "state.json"):
        out, err = StringIO(), StringIO()
        where = ["--state", str(state)] if state else []
        try:
            call_command("evidence_verify", *where, *args, stdout=out, stderr=err)
        except CommandError as error:
            return out.getvalue(), err.getvalue(), error
        return out.getvalue(), err.getvalue(), None

    return run


def _stored(upload, content: bytes, name: str) -> ExhibitFile:
    response = upload(content, name)
    assert response.status_code == 201, response.content
    exhibit_file = ExhibitFile.objects.get(pk=response.json()["files"][0]["id"])
    assert exhibit_file.rendition == ExhibitFile.Rendition.READY, exhibit_file.rendition_error
    return exhibit_file


def _on_disk(key: str) -> Path:
    return Path(default_storage.path(key))


def test_a_sound_store_passes_with_a_one_line_summary(upload, verify, tmp_path):
    letter = _stored(upload, files.pdf(text="Sound letter"), "letter.pdf")
    photo = _stored(upload, files.image("PNG", size=(301, 211)), "photo.png")
    size = letter.size + photo.size + _on_disk(photo.rendition_key).stat().st_size

    out, err, error = verify()

    assert error is None, out
    # The PDF is its own rendition: one blob. The photo has a PDF of its own.
    assert out.strip().splitlines() == [f"Checked 3 blobs ({_size(size)}): all intact."]
    assert "Checking 3 blob(s) of every matter." in err
    assert not (tmp_path / "state.json").exists()
    assert verify("--verbosity", "0")[:2] == ("", "")


def test_an_altered_blob_is_named_with_its_exhibit_and_key_and_audited(upload, verify):
    letter = _stored(upload, files.pdf(text="Letter to be altered"), "letter.pdf")
    _stored(upload, files.pdf(text="Untouched letter"), "other.pdf")
    # One bit flipped in the middle: the size is the same, only the hash can tell.
    data = bytearray(_on_disk(letter.storage_key).read_bytes())
    data[len(data) // 2] ^= 1
    _on_disk(letter.storage_key).write_bytes(bytes(data))

    out, _, error = verify()

    assert error is not None and error.returncode == 1
    assert "1 of 2 blob(s) checked are missing or altered (0 missing, 1 altered)" in str(error)
    [line] = out.splitlines()
    assert line.startswith(f"ALTERED {letter.storage_key}: evidence.ExhibitFile {letter.pk}")
    assert letter.exhibit.reference in line and "'letter.pdf'" in line
    assert f"expected SHA-256 {letter.sha256}, found " in line
    event = AuditEvent.objects.get(action=AuditAction.INTEGRITY_FAILED)
    assert event.object_id == str(letter.pk) and event.matter_id == letter.matter_id
    assert event.detail["key"] == letter.storage_key


def test_a_deleted_blob_is_reported_missing(upload, verify):
    photo = _stored(upload, files.image("PNG", size=(302, 212)), "scan.png")
    _on_disk(photo.rendition_key).unlink()

    out, _, error = verify()

    assert error is not None and "(1 missing, 0 altered)" in str(error)
    assert out.startswith(f"MISSING {photo.rendition_key}: evidence.ExhibitFile {photo.pk}")
    assert "(rendition)" in out and photo.exhibit.reference in out
    assert "nothing is stored there" in out


def test_a_resumed_run_checks_only_what_the_interrupted_one_had_not(
    upload, verify, settings, tmp_path
):
    settings.VAR_DIR = tmp_path / "var"
    state = settings.VAR_DIR / "evidence_verify.json"
    first = _stored(upload, files.pdf(text="First of two"), "first.pdf")
    second = _stored(upload, files.pdf(text="Second of two"), "second.pdf")

    out, err, error = verify("--limit", "1", "--progress", "0", state=None)

    assert error is None
    assert "Stopped after 1 blob(s): 1 of 2 checked" in err
    assert json.loads(state.read_text())["after"] == ["evidence.ExhibitFile", first.pk, 0]
    # Only a re-read would notice this now: the first blob was already found sound.
    _on_disk(first.storage_key).write_bytes(b"changed after it was checked")

    out, err, error = verify("--resume", "--progress", "0", state=None)

    assert error is None, out
    assert "Checking 2 blob(s) of every matter, 1 already checked." in err
    assert "2 / 2 blobs" in err and "1 / 2 blobs" not in err
    assert out.strip() == f"Checked 2 blobs ({_size(first.size + second.size)}): all intact."
    assert not state.exists()


def test_a_resumed_run_still_reports_what_the_interrupted_one_found(upload, verify):
    missing = _stored(upload, files.pdf(text="Gone before the first run"), "gone.pdf")
    _stored(upload, files.pdf(text="Still here"), "here.pdf")
    _on_disk(missing.storage_key).unlink()

    out, _, error = verify("--limit", "1")
    assert error is not None and out.startswith(f"MISSING {missing.storage_key}")

    out, _, error = verify("--resume")

    assert error is not None and "1 of 2 blob(s) checked" in str(error)
    assert out.startswith(f"MISSING {missing.storage_key}")
    assert AuditEvent.objects.filter(action=AuditAction.INTEGRITY_FAILED).count() == 1


def test_matter_limits_the_check_to_that_matters_blobs(
    upload, verify, api, world, django_capture_on_commit_callbacks
):
    ours = _stored(upload, files.pdf(text="Our matter's letter"), "ours.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.outsider).post(
            f"/api/matters/{world.other_matter.pk}/exhibits/upload/",
            {"file": SimpleUploadedFile("theirs.pdf", files.pdf(text="Other matter's letter"))},
            format="multipart",
        )
    theirs = ExhibitFile.objects.get(pk=response.json()["files"][0]["id"])
    _on_disk(theirs.storage_key).write_bytes(b"not what was uploaded")

    out, err, error = verify("--matter", world.matter.reference)

    assert error is None, out
    assert "Checking 1 blob(s) of NWA-0001." in err
    assert out.strip() == f"Checked 1 blob ({_size(ours.size)}): all intact."

    out, _, error = verify("--matter", world.other_matter.reference)

    assert error is not None and out.startswith(f"ALTERED {theirs.storage_key}")
    assert "NWA-" not in out


def test_resuming_another_matters_run_or_from_a_broken_state_is_refused(
    upload, verify, world, tmp_path
):
    _stored(upload, files.pdf(text="One of two in scope"), "one.pdf")
    _stored(upload, files.pdf(text="Two of two in scope"), "two.pdf")
    verify("--limit", "1", "--matter", world.matter.reference)

    _, _, error = verify("--resume")
    assert "checked NWA-0001, not every matter" in str(error)

    (tmp_path / "state.json").write_text('{"done": 1')
    _, _, error = verify("--resume")
    assert "cannot be read" in str(error)

    _, _, error = verify("--matter", "NOPE-1")
    assert "No matter has the reference 'NOPE-1'" in str(error)


def test_a_built_bundle_is_checked_and_an_altered_one_named(
    upload, verify, world, django_capture_on_commit_callbacks
):
    letter = _stored(upload, files.pdf(text="Bundled letter"), "bundled.pdf")
    bundle = bundle_of(world, letter.exhibit, title="CMC bundle")
    with django_capture_on_commit_callbacks(execute=True):
        version = bundles.version_request(bundle=bundle, actor=world.paralegal)
    version.refresh_from_db()
    assert version.status == Version.Status.READY, version.error

    out, _, error = verify()
    assert error is None and out.startswith("Checked 2 blobs")

    _on_disk(version.storage_key).write_bytes(b"%PDF-1.7 not the bundle that was built")
    out, _, error = verify()

    assert error is not None
    assert out.startswith(f"ALTERED {version.storage_key}: bundles.Version {version.pk} (bundle)")
    assert f"bundle CMC bundle v1, file '{version.file_name}'" in out


def _size(size: int) -> str:
    return filesizeformat(size).replace("\xa0", " ")
