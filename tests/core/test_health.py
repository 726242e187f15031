"""/healthz and /readyz as a load balancer and a firm's monitoring read them: JSON, no
sign-in, nothing about matters or people, and /readyz failing with the reason when a part
casemgr needs is missing. The last test runs a real worker with beat on Redis."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from casemgr.core import health
from casemgr.core.tasks import heartbeat
from tests.worker_process import Worker, worker_env

pytestmark = pytest.mark.django_db

CHECKS = {"database", "migrations", "object_store", "redis", "workers", "beat"}


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(health.HEARTBEAT_KEY)
    yield
    cache.delete(health.HEARTBEAT_KEY)


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_without_a_worker_or_beat_is_503_and_says_why(client, world):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["checks"]) == CHECKS
    for working in ("database", "migrations", "object_store", "redis"):
        assert body["checks"][working] == "ok", working
    assert body["checks"]["workers"] == "Unavailable: Celery workers unavailable"
    assert body["checks"]["beat"] == "Unavailable: No heartbeat from beat yet"
    # Anyone may ask: nothing of the matters or their people is in the answer.
    text = json.dumps(body)
    for private in (world.matter.reference, world.matter.title, world.partner.username):
        assert private not in text


def test_beat_is_late_when_its_heartbeat_is_old(client):
    heartbeat()
    assert client.get("/readyz").json()["checks"]["beat"] == "ok"
    with time_machine.travel(timezone.now() + health.BEAT_STALE + timedelta(seconds=30)):
        late = client.get("/readyz").json()["checks"]["beat"]
    assert late.startswith("Unavailable: Beat's last heartbeat ran ") and late.endswith(" s ago")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_with_a_worker_on_every_queue_and_beat(client, tmp_path):
    with Worker(
        env=worker_env(), folder=tmp_path, queues="default,mail,bundles,analysis", beat=True
    ) as worker:
        worker.start()
        ready = worker.wait_until(
            lambda: client.get("/readyz").status_code == 200, seconds=60, every=0.5
        )
        assert ready, str(client.get("/readyz").json()["checks"]) + worker.output()[-3000:]
        assert client.get("/readyz").json() == {
            "status": "ok",
            "checks": dict.fromkeys(CHECKS, "ok"),
        }

        # A worker that no longer listens to one queue makes the process not ready.
        worker.kill()
        worker.queues = "default,mail,bundles"
        worker.start()
        assert worker.wait_until(
            lambda: (
                client.get("/readyz").json()["checks"]["workers"]
                == "Unavailable: No worker for queue analysis"
            ),
            seconds=60,
            every=0.5,
        ), client.get("/readyz").json()
