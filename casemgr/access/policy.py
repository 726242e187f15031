"""The one place that answers "may this user see or change this?".

Pages (access.mixins), the API (access.permissions) and every selector ask here. The rules:
- a matter, and everything in it, exists only for the matter's members; to anyone else it
  is 404, and the attempt is audited;
- partners, associates and paralegals may change a matter's records; experts and clients
  only read them;
- only partners manage who is on a matter;
- documents are seen up to the member's clearance (standard < confidential < AEO).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, Clearance, MatterMembership, Role

EDITING_ROLES = frozenset({Role.PARTNER, Role.ASSOCIATE, Role.PARALEGAL})
MANAGING_ROLES = frozenset({Role.PARTNER})

_CACHE_ATTR = "_casemgr_memberships"


def membership(user, matter) -> MatterMembership | None:
    """The user's membership of the matter, or None. Cached on the user object, which lives
    for one request, so a page asking several questions costs one query."""
    if user is None or not user.is_authenticated or not user.is_active or matter is None:
        return None
    cache: dict[int, MatterMembership | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if matter.pk not in cache:
        cache[matter.pk] = MatterMembership.objects.filter(user=user, matter=matter).first()
    return cache[matter.pk]


def can_edit(user, matter) -> bool:
    found = membership(user, matter)
    return found is not None and found.role in EDITING_ROLES


def can_manage_members(user, matter) -> bool:
    found = membership(user, matter)
    return found is not None and found.role in MANAGING_ROLES


def matters_led_by(user) -> models.QuerySet:
    """Ids of the matters `user` is a partner of: the teams whose work they oversee."""
    return MatterMembership.objects.filter(user=user, role__in=MANAGING_ROLES).values("matter_id")


def clearance(user, matter) -> Clearance | None:
    found = membership(user, matter)
    return Clearance(found.clearance) if found else None


def can_open_matter(user) -> bool:
    """Opening a new matter is for firm staff, who hold the matters.add_matter permission."""
    return user.is_authenticated and user.has_perm("matters.add_matter")


def get_visible_or_404(queryset: models.QuerySet, *, request, **lookup) -> models.Model:
    """Fetch one row of a matter-scoped queryset as the request's user may see it.

    A row that exists but is not the user's is answered exactly like one that does not
    exist (404); the attempt is written to the audit trail.
    """
    try:
        return queryset.visible_to(request.user).get(**lookup)
    except queryset.model.DoesNotExist:
        audit_denied(request, queryset=queryset, lookup=lookup)
        raise Http404("No such record.") from None


def get_in_matter_or_404(queryset: models.QuerySet, *, matter, request, **lookup) -> models.Model:
    """Fetch one row of `matter` (which the user may already see). A row of any other matter,
    a document above the user's clearance, or a malformed id, is answered like a missing row
    (404); a row that exists is audited as a denied look-up."""
    try:
        # Clearance applies here and not only in the callers' querysets, so that no page can
        # open a document above the reader's clearance by forgetting to ask.
        return queryset.visible_to(request.user).in_matter(matter).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        audit_denied(
            request,
            queryset=queryset.model._base_manager.all(),
            lookup=lookup,
            reason="not in this matter, or above the member's clearance",
        )
        raise Http404("No such record.") from None


def audit_denied(
    request,
    *,
    queryset: models.QuerySet,
    lookup: dict,
    reason: str = "not a member of the matter",
) -> None:
    """Record a look-up of a row the user may not see, if that row exists at all."""
    try:
        hidden = queryset.filter(**lookup).first()
    except (ValueError, ValidationError):
        return  # not even a well-formed id: nothing was hidden from anyone
    if hidden is None:
        return
    audit_record(
        action=AuditAction.DENIED,
        request=request,
        matter=matter_of(hidden),
        obj=hidden,
        detail={"reason": reason},
    )


def audit_forbidden(request, *, matter, obj=None, reason: str) -> None:
    audit_record(
        action=AuditAction.DENIED,
        request=request,
        matter=matter,
        obj=obj,
        detail={"reason": reason},
    )


def audit_events_visible(*, matter, user) -> models.QuerySet:
    """The matter's audit trail as `user` may read it: an entry about a document above
    their clearance (an exhibit, a deadline…) names it, so it is left out."""
    from django.apps import apps
    from django.db.models.functions import Cast

    from casemgr.access.models import AuditEvent
    from casemgr.access.querysets import ClearanceScopedQuerySet

    events = AuditEvent.objects.filter(matter=matter)
    for model in apps.get_models():
        if issubclass(model.objects._queryset_class, ClearanceScopedQuerySet):
            visible = (
                model.objects.visible_to(user)
                .in_matter(matter)
                .annotate(key=Cast("pk", models.CharField()))
                .values("key")
            )
            events = events.exclude(
                models.Q(object_type=model._meta.label) & ~models.Q(object_id__in=visible)
            )
    return events


def matter_of(obj: models.Model):
    """The matter a matter-scoped row belongs to (a Matter is its own)."""
    return obj if obj._meta.label == "matters.Matter" else obj.matter
