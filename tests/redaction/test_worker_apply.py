"""Applying a redaction through the real stack: queued on commit, carried by Redis to a
worker of the `bundles` queue (slow PDF work), which runs the real engine and proposes it."""

import shutil
import subprocess

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import default_storage

from casemgr import celery_app
from casemgr.redaction import applying, services
from casemgr.redaction.engine import Box
from casemgr.redaction.models import Redaction
from tests.redaction.making import exhibit_file
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_worker(tasks_via_redis):
    with start_worker(
        celery_app, pool="solo", queues=["bundles"], perform_ping_check=False, shutdown_timeout=30
    ) as worker:
        yield worker


def test_a_worker_applies_the_redaction(world, slow_worker):
    memo = exhibit_file(world)
    redaction, _ = services.redaction_start(exhibit_file=memo, actor=world.paralegal)
    # Over "Privileged advice on Project Orion", the first page's only line (18 pt at y 720).
    line = Box(page=1, x0=60, y0=100, x1=560, y1=130)
    services.boxes_add(redaction=redaction, boxes=[line], actor=world.paralegal)
    applying.redaction_apply(redaction=redaction, actor=world.paralegal)

    def finished():
        return Redaction.objects.get(pk=redaction.pk).status != Redaction.Status.APPLYING

    assert wait_for(finished, seconds=120), "the worker never applied the redaction"
    redaction.refresh_from_db()
    assert redaction.status == Redaction.Status.PROPOSED, redaction.error
    assert (redaction.pages_done, redaction.pages_total, redaction.attempts) == (2, 2, 1)
    with default_storage.open(redaction.storage_key, "rb") as stored:
        text = subprocess.run(
            [shutil.which("pdftotext"), "-", "-"],
            input=stored.read(),
            capture_output=True,
            check=True,
        ).stdout.decode()
    assert "Orion" not in text and "Privileged advice" not in text
    assert "ada@northwind.example" in text  # page 2, which had no box, is as it was
