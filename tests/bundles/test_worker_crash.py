"""A bundle worker killed in the middle of a build leaves no published file, and the build
is finished by the next worker (Redis hands the unacknowledged task over).

Real stack: the test database, Redis and `celery worker -Q bundles` in a process group of
its own, killed with SIGKILL while it is stamping pages.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from casemgr.access.models import Clearance, Role
from casemgr.bundles import services
from casemgr.bundles.models import Bundle, Version
from casemgr.evidence.services import IncomingFile, exhibit_file_ingest
from tests.evidence import files
from tests.factories import MatterFactory, ProceedingFactory, UserFactory, member
from tests.worker_process import Worker, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DOCUMENTS = 12
PAGES_EACH = 400


@pytest.fixture
def large_bundle() -> Bundle:
    """Made before tasks are sent to Redis: the exhibits' renditions run here."""
    matter = MatterFactory()
    paralegal = UserFactory()
    member(paralegal, matter, Role.PARALEGAL, Clearance.CONFIDENTIAL)
    bundle = services.bundle_create(
        bundle=Bundle(matter=matter, proceeding=ProceedingFactory(matter=matter), title="Trial"),
        actor=paralegal,
    )
    section = bundle.sections.get(letter="D")
    for n in range(DOCUMENTS):
        content = files.pdf(pages=PAGES_EACH, text=f"Disclosure document {n}")
        with IncomingFile.from_bytes(content, f"disclosure-{n}.pdf") as incoming:
            stored = exhibit_file_ingest(matter=matter, uploaded_by=paralegal, incoming=incoming)
        services.entry_add(bundle=bundle, section=section, exhibit=stored.exhibit, actor=paralegal)
    return bundle


def published_files(bundle: Bundle) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "bundles" / str(bundle.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_worker_killed_mid_build_leaves_nothing_published_and_the_next_one_finishes(
    tmp_path, large_bundle, tasks_via_redis
):
    bundle = large_bundle
    version = services.version_request(bundle=bundle, actor=bundle.created_by)
    row = Version.objects.filter(pk=version.pk)
    with Worker(
        env=worker_env(),
        folder=Path(tempfile.mkdtemp(dir=tmp_path)),
        queues="bundles",
        beat=False,
    ) as worker:
        worker.start()
        started = worker.wait_until(
            lambda: row.filter(status=Version.Status.BUILDING).exists(),
            seconds=60,
        )
        assert started, f"the build never got going: {row.values().first()}"
        time.sleep(0.3)  # into the build (about 3 s for these 4,800 pages)
        worker.kill()
        killed = row.get()
        assert killed.status == Version.Status.BUILDING, "killed too late to prove anything"
        assert killed.storage_key == "" and published_files(bundle) == []

        worker.start()
        finished = worker.wait_until(
            lambda: row.filter(status__in=[Version.Status.READY, Version.Status.FAILED]).exists(),
            seconds=120,
            every=0.2,
        )
        assert finished, "the build was never picked up again after the kill"
    done = row.get()
    assert done.status == Version.Status.READY, f"{done.error}\n{worker.final_output}"
    assert done.attempts >= 2  # a slow machine may see the task handed over once more
    assert published_files(bundle) == [Path(done.storage_key).name]
    assert done.page_count > DOCUMENTS * PAGES_EACH
