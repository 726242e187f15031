"""Which redacted files a bundle uses, and what its page and its versions say about them.

A bundle that leaves our side uses the redacted version of an exhibit file only once a
second member has approved it (casemgr.redaction: the four-eyes rule), and only while it
still matches the file's current rendition (`redaction.selectors.approved`): a redaction
drawn on an older rendition may no longer cover what it was drawn to hide. A redaction
awaiting approval is never used; the bundle uses the unredacted file and its page says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import F

from casemgr.redaction import selectors as redaction_selectors
from casemgr.redaction.models import Redaction


@dataclass(frozen=True)
class Used:
    """An approved redaction a version uses, as its contents row records it."""

    redaction: Redaction
    approved_by: str
    approved_on: str  # "7 December 2026"

    def row(self) -> dict:
        return {
            "id": self.redaction.pk,
            "sha256": self.redaction.sha256,
            "approved_by": self.approved_by,
            "approved_on": self.approved_on,
        }


def approved(file_ids: Iterable[int]) -> dict[int, Used]:
    """The approved, current redaction of each of these files, by file id, with who approved
    it and when. Two queries."""
    found = redaction_selectors.approved(file_ids)
    users = get_user_model().objects.in_bulk({row.reviewed_by_id for row in found.values()})
    return {
        file_id: Used(
            redaction=row,
            approved_by=_name(users.get(row.reviewed_by_id)),
            approved_on=row.reviewed_at.strftime("%-d %B %Y") if row.reviewed_at else "",
        )
        for file_id, row in found.items()
    }


def awaiting(file_ids: Iterable[int]) -> set[int]:
    """The files among these with a redaction of their current rendition awaiting approval
    (proposed, not yet reviewed). One query."""
    return set(
        Redaction.objects.filter(
            file_id__in=list(file_ids),
            status=Redaction.Status.PROPOSED,
            source_sha256=F("file__rendition_sha256"),
        ).values_list("file_id", flat=True)
    )


def _name(user) -> str:
    if user is None:
        return "a member no longer known"
    return user.get_full_name() or user.get_username()
