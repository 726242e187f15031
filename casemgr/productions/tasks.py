from __future__ import annotations

from celery import shared_task

from casemgr.productions import services


# On the bundles queue (settings.CELERY_TASK_ROUTES): slow PDF work, never in the way of
# deadline e-mails.
@shared_task(soft_time_limit=30 * 60, time_limit=31 * 60)
def build_production(production_id: int) -> str:
    """Build one production set and publish it. Safe to run twice (see services)."""
    return services.production_build(production_id)
