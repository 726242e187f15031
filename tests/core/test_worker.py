"""Tasks through the real stack: queued on commit, carried by Redis, run by a Celery worker."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from casemgr import celery_app
from casemgr.access.models import Clearance, MatterMembership, Role
from casemgr.access.services import membership_grant
from tests.factories import MatterFactory, UserFactory
from tests.waiting import wait_for

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
    # A grant that commits afterwards, on the same queue to the same single worker: once its
    # e-mail is out, the worker has taken everything queued before it.
    later = UserFactory(username="later", email="later@example.com")
    membership_grant(
        matter=matter,
        user=later,
        role=Role.PARALEGAL,
        clearance=Clearance.STANDARD,
        actor=later,
    )
    assert wait_for(lambda: len(mail.outbox) >= 1), "the worker never sent the later e-mail"
    assert [message.to for message in mail.outbox] == [["later@example.com"]]
    assert not MatterMembership.objects.filter(user=newcomer).exists()
