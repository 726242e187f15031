from __future__ import annotations

from django.db import transaction

from casemgr.access.models import Clearance, Role
from casemgr.access.services import membership_grant
from casemgr.core.services import record_save
from casemgr.matters.models import Matter


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
