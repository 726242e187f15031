"""An analysis worker killed in the middle of a run: the next worker finishes it, once, with
the figures of a run that was never interrupted.

Real stack: the test database, Redis and `celery worker -Q analysis` in a process group of
its own, killed with SIGKILL once the run has reported progress; started again, it is handed
the unacknowledged task after the (shortened) visibility timeout.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from casemgr.analysis import services
from casemgr.analysis.models import Analysis
from tests.analysis.stored import store, write_large_csv
from tests.worker_process import Worker, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# About 80 MB of log: the run takes a few seconds on two cores, half of them reading; a
# loaded CI machine may take three times as long.
BULK_ROWS = 500_000
# Longer than the second run takes, so that Redis never hands the task to a third worker
# while the second still runs; short enough for the test.
VISIBILITY_TIMEOUT = 20


@pytest.fixture
def own_media(settings, tmp_path):
    """Stored files, and the Parquet cache beside them, in this test's folder: the killed run
    must leave nothing behind for another test, and no earlier run's cache may shorten it."""
    media = tmp_path / "media" / "files"
    media.mkdir(parents=True)
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": None},
        },
    }
    return media


def test_a_worker_killed_mid_analysis_leaves_it_finished_once_by_the_next(
    world, tmp_path, own_media, tasks_via_redis
):
    path = tmp_path / "large-logs.csv"
    truth = write_large_csv(path, seed=21, bulk_rows=BULK_ROWS)
    source = store(world, path)
    path.unlink()
    analysis = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_start(analysis=analysis, actor=world.partner)  # to Redis, on commit
    row = Analysis.objects.filter(pk=analysis.pk)
    assert row.get().status == Analysis.Status.QUEUED

    with Worker(
        env=worker_env(visibility_timeout=VISIBILITY_TIMEOUT),
        folder=Path(tempfile.mkdtemp(dir=tmp_path)),
        queues="analysis",
        beat=False,
    ) as worker:
        worker.start()
        reading = worker.wait_until(
            lambda: row.filter(status=Analysis.Status.RUNNING, progress__gt=0).exists(),
            seconds=60,
        )
        assert reading, f"the run never reported progress: {row.values().first()}"
        worker.kill()
        killed = row.get()
        assert killed.status == Analysis.Status.RUNNING, "killed too late to prove anything"
        assert 0 < killed.progress < 1 and killed.results == {} and killed.attempts == 1

        worker.start()
        finished = worker.wait_until(
            lambda: row.filter(status__in=Analysis.FINISHED).exists(), seconds=75, every=0.2
        )
        assert finished, "the run was never picked up again after the kill"

    done = row.get()
    assert done.status == Analysis.Status.DONE, f"{done.error}\n{worker.final_output}"
    assert done.attempts == 2 and done.progress == 1.0
    assert done.results["rows"] == truth.rows
    assert done.results["flagged_accounts"] == sorted(truth.ring)
    # One set of results: the same figures as a run that was never interrupted, read afresh.
    fresh = services.analysis_create(source=source, kind="logs", created_by=world.partner)
    services.analysis_run(analysis=fresh, cache_dir=tmp_path / "fresh-cache")
    assert fresh.status == Analysis.Status.DONE
    assert done.results == fresh.results
    assert Analysis.objects.filter(source=source, status=Analysis.Status.DONE).count() == 2
