from __future__ import annotations

from celery import shared_task

from casemgr.redaction import applying


# Rasterising and reading again the pages with boxes: a few seconds a page; the limits are
# for a run gone wrong.
@shared_task(soft_time_limit=30 * 60, time_limit=31 * 60)
def apply_redaction(redaction_id: int) -> str:
    """Make the redacted file of one redaction and propose it. Safe to run twice (see
    applying.redaction_make)."""
    return applying.redaction_make(redaction_id)
