from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, Clearance, MatterMembership, Role


def _ensure_a_partner_remains(membership: MatterMembership) -> None:
    """A matter always keeps a partner: someone must be able to manage its members."""
    if membership.role != Role.PARTNER:
        return
    others = MatterMembership.objects.filter(matter=membership.matter_id, role=Role.PARTNER)
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError(
            f"{membership.user.get_username()} is the matter's only partner; "
            "make someone else a partner first."
        )


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
    if role == Role.CLIENT and clearance == Clearance.AEO:
        raise ValidationError("Attorneys'-eyes-only material is never shown to the client.")
    existing = MatterMembership.objects.select_for_update().filter(user=user, matter=matter).first()
    if existing is not None and role != Role.PARTNER:
        _ensure_a_partner_remains(existing)
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
    _reminders_follow(matter.pk)
    return membership


@transaction.atomic
def membership_revoke(*, membership: MatterMembership, actor, request=None) -> None:
    """Take a user off a matter: from now on everything in it is 404 to them."""
    _ensure_a_partner_remains(membership)
    audit_record(
        action=AuditAction.DELETE,
        request=request,
        actor=actor,
        matter=membership.matter,
        obj=membership,
        detail={"role": membership.role, "clearance": membership.clearance},
    )
    membership.delete()
    # Whoever leaves a matter no longer answers for its deadlines; those left with nobody
    # named fall back to the whole team (deadlines.reminders).
    from casemgr.deadlines.models import Deadline

    Deadline.responsible.through.objects.filter(
        user_id=membership.user_id, deadline__proceeding__matter_id=membership.matter_id
    ).delete()
    _reminders_follow(membership.matter_id)


def _reminders_follow(matter_id: int) -> None:
    """Who is reminded of a matter's deadlines depends on who is on it."""
    from casemgr.deadlines.reminders import reminders_sync_matter

    reminders_sync_matter(matter_id)
