from __future__ import annotations

from celery import shared_task

from casemgr.analysis import services


# Ten million log rows take about a minute and a half on two cores; the limits allow a log
# twenty times that, and stop a run gone wrong. The hard limit stays below the broker's
# visibility timeout, so a task is never handed to a second worker while the first still runs.
@shared_task(soft_time_limit=45 * 60, time_limit=46 * 60)
def run_analysis(analysis_id: int) -> str:
    """Run one analysis. Safe to run twice: the second finds it finished (see services)."""
    return services.analysis_execute(analysis_id)
