"""Tasks through the real stack: queued on commit, carried by Redis, run by a Celery worker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from casemgr import celery_app
from casemgr.access.models import Clearance, MatterMembership, Role
from casemgr.access.services import membership_grant
from tests.factories import MatterFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_worker():
    """A worker that consumes only the `mail` queue, as a production mail worker would."""
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge("mail")
    try:
        with start_worker(
            celery_app, pool="solo", queues=["mail"], perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_membership_email_goes_through_redis_to_the_mail_worker(mail_worker):
    matter = MatterFactory()
    partner = UserFactory(username="boss")
    newcomer = UserFactory(username="newcomer", email="newcomer@example.com")
    membership = membership_grant(
        matter=matter,
        user=newcomer,
        role=Role.PARALEGAL,
        clearance=Clearance.STANDARD,
        actor=partner,
    )
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker never sent the e-mail"
    assert mail.outbox[0].to == ["newcomer@example.com"]
    assert wait_for(lambda: MatterMembership.objects.get(pk=membership.pk).notified_at is not None)


def test_nothing_is_queued_when_the_transaction_rolls_back(mail_worker):
    from django.db import transaction

    matter = MatterFactory()
    newcomer = UserFactory(username="ghost", email="ghost@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_grant(
            matter=matter,
            user=newcomer,
            role=Role.PARALEGAL,
            clearance=Clearance.STANDARD,
            actor=newcomer,
        )
        raise RuntimeError("the request failed after the grant")
    time.sleep(2)
    assert mail.outbox == []
    assert not MatterMembership.objects.filter(user=newcomer).exists()
