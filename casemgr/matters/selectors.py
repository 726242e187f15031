"""Reads for the matters pages, prefetched so that query counts stay flat."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from casemgr.access import policy
from casemgr.access.models import MatterMembership
from casemgr.matters.models import Hearing, Matter, Party, Person, Proceeding


def matters_for(*, user) -> QuerySet[Matter]:
    return (
        Matter.objects.visible_to(user)
        .annotate(
            proceeding_count=Count("proceedings", distinct=True),
            party_count=Count("parties", distinct=True),
        )
        .order_by("status", "-opened_on", "reference")
    )


def matters_with_role(*, user) -> QuerySet[Matter]:
    """The user's matters, each with `my_role` (one query, not one per matter)."""
    role = MatterMembership.objects.filter(matter=OuterRef("pk"), user=user).values("role")[:1]
    return Matter.objects.visible_to(user).annotate(my_role=Subquery(role))


def upcoming_hearings(*, user, limit: int | None = None) -> QuerySet[Hearing]:
    hearings = (
        Hearing.objects.visible_to(user)
        .filter(starts_at__gte=timezone.now(), status=Hearing.Status.LISTED)
        .select_related("proceeding__court__jurisdiction", "proceeding__matter")
        .order_by("starts_at")
    )
    return hearings[:limit] if limit else hearings


def parties_of(*, matter: Matter) -> QuerySet[Party]:
    return (
        Party.objects.in_matter(matter)
        .select_related("parent")
        .annotate(people_count=Count("people"))
    )


def people_of(*, matter: Matter) -> QuerySet[Person]:
    return Person.objects.in_matter(matter).select_related("party")


def proceedings_of(*, matter: Matter) -> QuerySet[Proceeding]:
    return (
        Proceeding.objects.in_matter(matter)
        .select_related("court__jurisdiction")
        .prefetch_related(
            Prefetch("hearings", queryset=Hearing.objects.order_by("starts_at")),
            "claims",
        )
    )


def members_of(*, matter: Matter) -> QuerySet[MatterMembership]:
    return MatterMembership.objects.filter(matter=matter).select_related("user")


def matter_overview(*, matter: Matter, user) -> dict:
    from casemgr.pleadings.models import Allegation

    allegations = Allegation.objects.in_matter(matter)
    responses = allegations.aggregate(
        total=Count("pk"),
        admitted=Count("pk", filter=Q(response="admitted")),
        denied=Count("pk", filter=Q(response="denied")),
        not_admitted=Count("pk", filter=Q(response="not_admitted")),
        no_response=Count("pk", filter=Q(response="no_response")),
    )
    return {
        "proceedings": proceedings_of(matter=matter),
        "parties": parties_of(matter=matter),
        "hearings": Hearing.objects.in_matter(matter)
        .filter(starts_at__gte=timezone.now(), status=Hearing.Status.LISTED)
        .select_related("proceeding__court__jurisdiction")[:5],
        "members": members_of(matter=matter),
        "responses": responses,
        "recent_changes": policy.audit_events_visible(matter=matter, user=user)
        .filter(action__in=["create", "update"])
        .select_related("actor")[:8],
    }
