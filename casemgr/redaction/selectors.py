"""Reads of redactions for the apps that use them (bundles, productions)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from casemgr.redaction.models import Redaction


def approved(file_ids: Iterable[int]) -> dict[int, Redaction]:
    """The approved redaction of each of these files that still matches the file's current
    rendition, by file id; files with none are absent. One query."""
    rows = Redaction.objects.filter(
        file_id__in=list(file_ids),
        status=Redaction.Status.APPROVED,
        source_sha256=F("file__rendition_sha256"),
    )
    return {row.file_id: row for row in rows}
