from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from casemgr.access.models import AuditEvent
from casemgr.evidence.models import Exhibit, ExhibitFile, ExhibitPage
from casemgr.matters.models import Matter
from casemgr.search import schema

SORTS = {
    "reference": ["prefix", "number"],
    "-reference": ["-prefix", "-number"],
    "date": ["document_date", "prefix", "number"],
    "-date": ["-document_date", "prefix", "number"],
    "title": ["title"],
    "-title": ["-title"],
    "added": ["created_at"],
    "-added": ["-created_at"],
}


@dataclass(frozen=True)
class ExhibitFilters:
    q: str = ""
    kind: str = ""
    designation: int | None = None
    party: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "reference"


def exhibits_for(*, matter: Matter, user, filters: ExhibitFilters | None = None):
    """The matter's exhibits as `user` may see them (membership and clearance), searched,
    filtered and sorted, with their files."""
    filters = filters or ExhibitFilters()
    exhibits = Exhibit.objects.visible_to(user).filter(matter=matter)
    if filters.q:
        q = filters.q.strip()
        match = (
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(pk__in=_text_match(q, matter=matter))
        )
        prefix, _, number = q.rpartition("-")
        if prefix and number.isdigit():
            match |= Q(prefix__iexact=prefix, number=int(number))
        exhibits = exhibits.filter(pk__in=Exhibit.objects.filter(match).values("pk"))
    if filters.kind:
        exhibits = exhibits.filter(
            pk__in=ExhibitFile.objects.filter(kind=filters.kind).values("exhibit")
        )
    if filters.designation:
        exhibits = exhibits.filter(designation=filters.designation)
    if filters.party:
        exhibits = exhibits.filter(party=filters.party)
    if filters.date_from:
        exhibits = exhibits.filter(document_date__gte=filters.date_from)
    if filters.date_to:
        exhibits = exhibits.filter(document_date__lte=filters.date_to)
    return (
        exhibits.select_related("party")
        .prefetch_related(
            Prefetch(
                "files",
                queryset=ExhibitFile.objects.only(
                    "pk", "exhibit_id", "kind", "page_count", "rendition", "original_name", "flags"
                ),
            )
        )
        .order_by(*SORTS.get(filters.sort, SORTS["reference"]))
    )


def _text_match(q: str, *, matter: Matter) -> QuerySet:
    """The exhibits whose page text holds `q` (the caller keeps to those the reader may
    see): on PostgreSQL through the pages' full-text index (casemgr.search keeps it), as
    words in any form ("distilled" finds "distillation"); a substring match over 100,000
    pages took seconds. On SQLite, as a substring."""
    pages = ExhibitPage.objects.filter(matter=matter).order_by()
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config=schema.CONFIG)
        found = pages.filter(search_vector=query).values_list("file_id", flat=True).distinct()
        files = schema.through_indexes(connection, lambda: list(found))
    else:
        files = pages.filter(text__icontains=q).values("file_id")
    return ExhibitFile.objects.filter(pk__in=files).values("exhibit")


def exhibit_history(*, exhibit: Exhibit) -> QuerySet[AuditEvent]:
    file_ids = [str(pk) for pk in exhibit.files.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(object_type="evidence.Exhibit", object_id=str(exhibit.pk))
        | Q(object_type="evidence.ExhibitFile", object_id__in=file_ids)
    ).select_related("actor")[:50]
