from __future__ import annotations

from celery import shared_task

from casemgr.deadlines.reminders import reminders_send_due


@shared_task
def send_due_reminders() -> int:
    """Run by beat every few minutes (settings.CELERY_BEAT_SCHEDULE). No retries of its own:
    whatever it leaves undone is still due at the next sweep."""
    return reminders_send_due()
