from __future__ import annotations

from django.db import transaction

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, Clearance, MatterMembership, Role


@transaction.atomic
def membership_grant(
    *,
    matter,
    user,
    role: Role,
    clearance: Clearance,
    actor,
    request=None,
    notify: bool = True,
) -> MatterMembership:
    """Put a user on a matter (or change their role and clearance), and tell them by e-mail."""
    membership, created = MatterMembership.objects.update_or_create(
        user=user, matter=matter, defaults={"role": role, "clearance": clearance}
    )
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        request=request,
        actor=actor,
        matter=matter,
        obj=membership,
        detail={"role": role, "clearance": int(clearance)},
    )
    if created and notify and user.email:
        from casemgr.access.tasks import send_membership_notice

        transaction.on_commit(lambda: send_membership_notice.delay(membership.pk))
    return membership
