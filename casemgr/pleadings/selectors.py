from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from casemgr.matters.models import Matter
from casemgr.pleadings.models import Allegation, Claim


def claims_of(*, matter: Matter, response: str = "") -> QuerySet[Claim]:
    """Claims with their parties and allegations (only those with `response`, if given), in
    pleading order: a fixed number of queries however many there are."""
    allegations = Allegation.objects.select_related("against").order_by("paragraph_sort")
    if response:
        allegations = allegations.filter(response=response)
    return (
        Claim.objects.in_matter(matter)
        .select_related("proceeding__court")
        .prefetch_related(
            "claimants",
            "defendants",
            Prefetch("allegations", queryset=allegations),
        )
        .order_by("proceeding__issued_on", "proceeding_id", "pk")
    )
