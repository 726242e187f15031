"""Reads for production sets, with the prefetching that keeps the pages' query counts flat."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from casemgr.evidence.models import Exhibit
from casemgr.productions.models import ProducedDocument, Production
from casemgr.redaction.models import Redaction
from casemgr.redaction.selectors import approved


def productions_for(*, matter, user) -> QuerySet[Production]:
    return (
        Production.objects.visible_to(user)
        .filter(matter=matter)
        .select_related("proceeding", "produced_to")
    )


@dataclass
class Choice:
    exhibit: Exhibit
    refusal: str
    pages: int | None
    redacted: int  # files with an approved redaction, which is produced instead
    awaiting: int  # files with a redaction awaiting approval, which is not used


def exhibit_choices(*, matter, user) -> list[Choice]:
    """The exhibits the member can see, each with why it may not be produced (if so) and
    the state of its files' redactions. Four queries, whatever the number of exhibits."""
    exhibits = list(
        Exhibit.objects.visible_to(user)
        .filter(matter=matter)
        .prefetch_related("files")
        .order_by("prefix", "number")
    )
    file_ids = [f.pk for e in exhibits for f in e.files.all()]
    redacted = approved(file_ids)
    awaiting = set(
        Redaction.objects.filter(
            file_id__in=file_ids, status=Redaction.Status.PROPOSED
        ).values_list("file_id", flat=True)
    )
    choices = []
    for exhibit in exhibits:
        files = list(exhibit.files.all())
        counts = [f.page_count for f in files]
        choices.append(
            Choice(
                exhibit=exhibit,
                refusal=Production.refusal(exhibit) or ("" if files else "it has no files"),
                pages=None if None in counts else sum(counts),
                redacted=sum(f.pk in redacted for f in files),
                awaiting=sum(f.pk in awaiting and f.pk not in redacted for f in files),
            )
        )
    return choices


def left_out_for(production: Production, user) -> tuple[list[dict], int]:
    """The exhibits left out of `production` that `user` may know of, and how many others:
    an exhibit made attorneys' eyes only after it was chosen is left out, and its reference
    is not for a reader below that clearance."""
    ids = [row["exhibit"] for row in production.left_out]
    visible = set(Exhibit.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    shown = [row for row in production.left_out if row["exhibit"] in visible]
    return shown, len(production.left_out) - len(shown)


def produced_documents(production: Production, user) -> list[ProducedDocument]:
    return list(
        ProducedDocument.objects.visible_to(user)
        .filter(production=production)
        .select_related("exhibit", "file", "redaction", "production")
        .order_by("position")
    )
