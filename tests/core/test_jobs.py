"""A slow job the broker cannot take is marked failed with words the user can act on,
not left queued for ever."""

from datetime import timedelta

from django.utils import timezone

from casemgr.core import jobs


class _BrokerDown:
    name = "casemgr.bundles.tasks.build_bundle"

    def delay(self, pk):
        raise ConnectionRefusedError(111, "Connection refused")


class _Broker:
    name = "casemgr.bundles.tasks.build_bundle"

    def __init__(self):
        self.queued = []

    def delay(self, pk):
        self.queued.append(pk)


def test_a_job_the_broker_refuses_is_failed_with_what_to_do():
    failures = []
    jobs.queue_or_fail(
        _BrokerDown(), 7, fail=failures.append, what="The build", again="build again in a minute"
    )
    assert failures == [
        "The build could not be queued (the task broker did not answer); build again in a minute."
    ]


def test_a_job_the_broker_takes_is_not_failed():
    broker, failures = _Broker(), []
    jobs.queue_or_fail(broker, 7, fail=failures.append, what="The build", again="build again")
    assert (broker.queued, failures) == ([7], [])


def test_a_job_is_stalled_only_once_silent_for_longer_than_allowed():
    now = timezone.now()
    assert jobs.stalled(now - timedelta(seconds=61), after_seconds=60)
    assert not jobs.stalled(now - timedelta(seconds=30), after_seconds=60)
