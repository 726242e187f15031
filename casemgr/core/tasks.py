"""Celery tasks of the core app."""

from __future__ import annotations

from celery import shared_task

from casemgr.core import health, temporary


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Queued by beat every HEARTBEAT_SECONDS, run by a worker of the default queue: its
    record is what /readyz reads to tell that beat is running."""
    health.record_heartbeat()


@shared_task(ignore_result=True)
def sweep_temporary_files() -> int:
    """What killed processes left in TEMP_DIR on this worker's machine (casemgr.core.temporary)."""
    return len(temporary.sweep())
