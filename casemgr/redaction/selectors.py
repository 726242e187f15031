"""Reads of redactions: for the apps that use them (bundles, productions), and the pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, QuerySet

from casemgr.redaction.models import Box, Redaction


def approved(file_ids: Iterable[int]) -> dict[int, Redaction]:
    """The approved redaction of each of these files that still matches the file's current
    rendition, by file id; files with none are absent. One query."""
    rows = Redaction.objects.filter(
        file_id__in=list(file_ids),
        status=Redaction.Status.APPROVED,
        source_sha256=F("file__rendition_sha256"),
    )
    return {row.file_id: row for row in rows}


def redactions_of_files(*, files: Iterable, user) -> dict[int, list[Redaction]]:
    """What the exhibit page says about each file's redactions, newest first, by file id:
    those under way or approved (discarded and superseded ones are in the audit trail).
    One query."""
    rows = (
        Redaction.objects.visible_to(user)
        .filter(file__in=[f.pk for f in files])
        .exclude(status__in=[Redaction.Status.REJECTED, Redaction.Status.SUPERSEDED])
        .select_related("file", "proposed_by", "reviewed_by", "created_by")
        .order_by("file", "-created_at", "-pk")
    )
    found: dict[int, list[Redaction]] = {}
    for row in rows:
        found.setdefault(row.file_id, []).append(row)
    return found


def history_of_file(*, redaction: Redaction, user) -> QuerySet[Redaction]:
    """The file's other redactions, newest first, for the redaction page."""
    return (
        Redaction.objects.visible_to(user)
        .filter(file_id=redaction.file_id)
        .exclude(pk=redaction.pk)
        .select_related("file", "proposed_by", "reviewed_by", "created_by")
        .order_by("-created_at", "-pk")
    )


def boxes_of(redaction: Redaction) -> list[Box]:
    return list(redaction.boxes.select_related("created_by").order_by("page", "y0", "x0", "pk"))
