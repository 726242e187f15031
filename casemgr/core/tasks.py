"""Celery tasks of the core app."""

from __future__ import annotations

from celery import shared_task

from casemgr.core import health


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Queued by beat every HEARTBEAT_SECONDS, run by a worker of the default queue: its
    record is what /readyz reads to tell that beat is running."""
    health.record_heartbeat()
