from __future__ import annotations

from celery import shared_task

from casemgr.bundles import services


# A 10,000-page bundle takes a minute or two; the limits are for a build gone wrong.
@shared_task(soft_time_limit=30 * 60, time_limit=31 * 60)
def build_bundle(version_id: int) -> str:
    """Build one version of a bundle and publish it. Safe to run twice (see services)."""
    return services.version_build(version_id)
