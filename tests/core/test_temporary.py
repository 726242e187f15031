"""What a killed process leaves in casemgr's temporary folder is swept once it is a day old,
and nothing younger, nor any stored evidence, ever is. The last test restarts a real worker
over such leftovers."""

import os
import tempfile
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from casemgr.core import temporary
from tests.worker_process import Worker, worker_env

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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_restarted_worker_sweeps_what_was_left(tmp_path):
    temp = tmp_path / "worker-tmp"
    temp.mkdir()
    left = temp / "ocr-killed"
    left.mkdir()
    _age(left, DAY + 60)
    fresh = temp / "ocr-running"
    fresh.mkdir()
    env = {**worker_env(), "TEMP_DIR": str(temp)}
    with Worker(env=env, folder=tmp_path, queues="default", beat=False) as worker:
        worker.start()
        assert worker.wait_until(lambda: not left.exists(), seconds=60, every=0.2), worker.output()
        assert fresh.exists()
