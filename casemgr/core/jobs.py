"""What the slow jobs (bundle builds, production sets, redactions) share: handing a job to
the broker, and telling a job that has lost its worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

log = logging.getLogger(__name__)


def queue_or_fail(task, pk: int, *, fail: Callable[[str], object], what: str, again: str) -> None:
    """Hand job `pk` to the broker; if it cannot be reached, say so on the job rather than
    leave it queued for ever (the request has committed: raising helps nobody). `what` names
    the job to its user ("The build"), `again` says what they can do ("build again in a
    minute")."""
    try:
        task.delay(pk)
    except Exception:
        log.exception("Could not queue %s for %s", task.name, pk)
        fail(f"{what} could not be queued (the task broker did not answer); {again}.")


def stalled(last_sign_of_life: datetime, *, after_seconds: float) -> bool:
    """Whether a job last heard of at `last_sign_of_life` has lost its worker."""
    return (timezone.now() - last_sign_of_life).total_seconds() > after_seconds
