"""What a load balancer and a firm's monitoring ask of casemgr: /healthz (this process
answers) and /readyz (everything casemgr needs works now), both JSON, both naming services
only: nothing about matters, people or documents, since they answer anyone who asks.

The checks are django-health-check's where it has them (database, object store, Redis
through the cache, Celery workers by ping), and casemgr's own for migrations and beat.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from health_check import checks
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

# Beat queues casemgr.core.tasks.heartbeat this often; a worker records when it ran it. A
# record older than BEAT_STALE says beat (or every worker of the default queue) is down.
HEARTBEAT_SECONDS = 60
BEAT_STALE = datetime.timedelta(seconds=3 * HEARTBEAT_SECONDS)
HEARTBEAT_KEY = "casemgr:health:heartbeat"


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of this code is applied: new code on an old schema would fail."""

    def run(self) -> None:
        # Run in a thread of the check executor: its connection is closed here, not left open.
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migrations not applied")


@dataclasses.dataclass
class Workers(Ping):
    """A worker answers on every queue casemgr sends work to."""

    def check_active_queues(self, *active_workers) -> None:
        wanted = {settings.CELERY_TASK_DEFAULT_QUEUE} | {
            route["queue"] for route in settings.CELERY_TASK_ROUTES.values()
        }
        answered = {
            queue["name"]
            for queues in (self.app.control.inspect(active_workers).active_queues() or {}).values()
            for queue in queues
        }
        if missing := sorted(wanted - answered):
            raise ServiceUnavailable(f"No worker for queue {', '.join(missing)}")


@dataclasses.dataclass
class Beat(HealthCheck):
    """Beat's heartbeat task ran lately: reminders are swept on time."""

    def run(self) -> None:
        ran = cache.get(HEARTBEAT_KEY)
        if ran is None:
            raise ServiceUnavailable("No heartbeat from beat yet")
        age = timezone.now() - datetime.datetime.fromisoformat(ran)
        if age > BEAT_STALE:
            raise ServiceUnavailable(f"Beat's last heartbeat ran {int(age.total_seconds())} s ago")


def record_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def readiness_checks() -> dict[str, HealthCheck]:
    """By name, what /readyz checks. Without Redis (the zero-setup demo, whose tasks run in
    the web process) there is no broker, worker or beat to check."""
    found: dict[str, HealthCheck] = {
        "database": checks.Database(),
        "migrations": Migrations(),
        "object_store": checks.Storage(),
    }
    if settings.REDIS_URL:
        found |= {
            "redis": checks.Cache(),
            "workers": Workers(timeout=datetime.timedelta(seconds=2)),
            "beat": Beat(),
        }
    return found


@never_cache
def healthz(request):
    """The process answers; nothing else is looked at."""
    return JsonResponse({"status": "ok"})


class ReadyView(HealthCheckView):
    """Every check at once, in parallel: 200 when all pass, 503 (with each check's state)
    when any fails, so that a load balancer sends no request to a process that would fail."""

    def get_checks(self):
        self.names = readiness_checks()
        return list(self.names.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        states = {
            name: "ok" if not result.error else str(result.error)
            for name, result in zip(self.names, results, strict=True)
        }
        ready = all(state == "ok" for state in states.values())
        return JsonResponse(
            {"status": "ok" if ready else "unavailable", "checks": states},
            status=200 if ready else 503,
        )
