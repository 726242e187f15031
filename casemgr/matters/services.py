from __future__ import annotations

from django.db import transaction

from casemgr.access.models import Clearance, Role
from casemgr.access.services import membership_grant
from casemgr.core.services import record_save
from casemgr.deadlines.reminders import reminders_sync_hearing
from casemgr.matters.models import Hearing, Matter


@transaction.atomic
def matter_open(*, actor, matter: Matter, request=None) -> Matter:
    """Open a new matter; whoever opens it is its first partner, cleared for everything."""
    record_save(instance=matter, actor=actor, request=request)
    membership_grant(
        matter=matter,
        user=actor,
        role=Role.PARTNER,
        clearance=Clearance.AEO,
        actor=actor,
        request=request,
        notify=False,
    )
    return matter


@transaction.atomic
def hearing_save(*, instance: Hearing, actor, request=None, m2m=None) -> Hearing:
    """Save a hearing and move its reminders with it."""
    record_save(instance=instance, actor=actor, request=request, m2m=m2m)
    reminders_sync_hearing(instance)
    return instance
