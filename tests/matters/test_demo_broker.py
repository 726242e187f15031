"""`load_demo` with a broker configured and no worker running yet (as `.ci/serve` starts it)
loads the same demo as with tasks run where they are queued."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from casemgr import celery_app
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.redaction.models import Redaction
from casemgr.timeline.models import Event, EvidenceLink

QUEUES = ("default", "bundles", "mail", "analysis")


def _purge() -> None:
    with celery_app.connection_for_write() as connection:
        for queue in QUEUES:
            connection.default_channel.queue_purge(queue)


def _demo() -> dict:
    return {
        "exhibits": sorted(
            Exhibit.objects.values_list("matter__reference", "prefix", "number", "title")
        ),
        "files": sorted(
            ExhibitFile.objects.values_list(
                "exhibit__prefix",
                "exhibit__number",
                "original_name",  # not the hash: an e-mail's MIME boundary is random
                "rendition",
                "page_count",
                "source__original_name",
            )
        ),
        "redactions": sorted(
            Redaction.objects.values_list(
                "file__original_name", "status", "proposed_by__username", "reviewed_by__username"
            )
        ),
        "events": Event.objects.count(),
        "links": EvidenceLink.objects.count(),
    }


def _load() -> dict:
    call_command("load_demo", password="demo-pass-123")
    return _demo()


# Transactional, so that tasks really are sent to Redis when each upload commits.
@pytest.mark.django_db(transaction=True)
def test_load_demo_with_a_broker_and_no_worker_loads_the_same_demo(settings):
    settings.DEBUG = True
    celery_app.conf.task_always_eager = False
    _purge()
    try:
        with_broker = _load()
        with celery_app.connection_for_write() as connection:
            queued = connection.default_channel.client.llen("default")
        assert queued > 0  # the renditions did go to the broker, where no worker takes them
    finally:
        celery_app.conf.task_always_eager = True
        _purge()
    attachment = [row for row in with_broker["files"] if row[2] == "lantern-accounts.csv"]
    assert attachment and attachment[0][3] == ExhibitFile.Rendition.READY
    assert attachment[0][5] is not None  # stored as the e-mail's attachment
    assert with_broker["redactions"] == [
        ("lantern-throughput.eml", Redaction.Status.APPROVED, "paralegal", "partner")
    ]

    call_command("flush", interactive=False)
    eager = _load()
    assert eager == with_broker
