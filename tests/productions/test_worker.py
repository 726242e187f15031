"""A production built by a real worker on the bundles queue, through Redis, as in use."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from casemgr.productions.models import Production
from tests.evidence import files
from tests.worker_process import Worker, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exhibit(add_exhibit):
    """Uploaded, its rendition made here, before tasks go through Redis."""
    return add_exhibit(files.pdf(pages=2, text="worker"), "worker.pdf")


def test_a_worker_on_the_bundles_queue_builds_the_production(
    world, exhibit, tmp_path, tasks_via_redis
):
    from casemgr.productions import services

    production = services.production_create(
        production=Production(
            matter=world.matter,
            proceeding=world.proceeding,
            title="Tranche",
            prefix="NWA",
            produced_to=world.defendant,
        ),
        exhibits=[exhibit],
        order="reference",
        actor=world.partner,
    )
    row = Production.objects.filter(pk=production.pk)
    assert row.get().status == Production.Status.QUEUED
    with Worker(
        env=worker_env(),
        folder=Path(tempfile.mkdtemp(dir=tmp_path)),
        queues="bundles",
        beat=False,
    ) as worker:
        worker.start()
        done = worker.wait_until(lambda: row.get().finished, seconds=120, every=0.2)
    assert done, row.values().first()
    assert row.get().status == Production.Status.READY, row.get().error
    assert (row.get().first_label, row.get().last_label) == ("NWA000001", "NWA000002")
