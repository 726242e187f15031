"""What a killed process leaves in casemgr's temporary folder is swept once it is a day old,
and nothing younger, nor any stored evidence, ever is."""

import os
import tempfile
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from casemgr.core import temporary
from casemgr.core.tasks import sweep_temporary_files

DAY = temporary.STALE_AFTER.total_seconds()


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def temp_dir(settings, tmp_path):
    settings.TEMP_DIR = tmp_path / "tmp"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TEMP_DIR.mkdir()
    return settings.TEMP_DIR


def test_casemgr_makes_its_temporary_files_in_its_own_folder(settings):
    assert Path(tempfile.gettempdir()) == Path(settings.TEMP_DIR)
    assert os.environ["TMPDIR"] == str(settings.TEMP_DIR)  # and the programs it runs


def test_a_day_old_leftover_is_swept_and_work_in_progress_is_not(temp_dir, settings):
    killed_build = temp_dir / "bundle-abc"
    (killed_build / "pages").mkdir(parents=True)
    (killed_build / "pages" / "0001.pdf").write_bytes(b"%PDF")
    for path in (killed_build / "pages" / "0001.pdf", killed_build / "pages", killed_build):
        _age(path, DAY + 60)
    killed_upload = temp_dir / "upload-xyz.upload"
    killed_upload.write_bytes(b"half an upload")
    _age(killed_upload, DAY + 60)
    # A long build still writing: its folder is old, the file being written is not.
    running = temp_dir / "bundle-running"
    running.mkdir()
    (running / "stamped.pdf").write_bytes(b"%PDF")
    _age(running, DAY + 60)
    recent = temp_dir / "tmp-recent"
    recent.write_bytes(b"in use")
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "ab"
    evidence.mkdir(parents=True)
    (evidence / "ab12").write_bytes(b"stored evidence")
    (evidence / ".partial-q1w2").write_bytes(b"a write that was killed")
    for path in evidence.iterdir():
        _age(path, DAY + 60)

    out = StringIO()
    call_command("sweep_temporary_files", stdout=out)

    assert "Removed 3 " in out.getvalue()
    assert not killed_build.exists() and not killed_upload.exists()
    assert not (evidence / ".partial-q1w2").exists()
    assert running.exists() and recent.exists()
    assert (evidence / "ab12").read_bytes() == b"stored evidence"


def test_beats_hourly_task_sweeps(temp_dir):
    left = temp_dir / "ocr-killed"
    left.mkdir()
    _age(left, DAY + 60)
    assert "sweep-temporary-files" in settings.CELERY_BEAT_SCHEDULE
    assert sweep_temporary_files.delay().get() == 1
    assert not left.exists()
