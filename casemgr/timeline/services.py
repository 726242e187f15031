"""Writing the chronology: events and evidence links, validated and audited by `record_save`
(and `record_delete`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction

from casemgr.core.services import record_delete, record_save
from casemgr.timeline.models import Event, EvidenceLink


@transaction.atomic
def event_save(
    *,
    event: Event,
    actor,
    request=None,
    m2m: dict[str, Iterable[models.Model]] | None = None,
) -> Event:
    """Save an event (new or changed) with its parties, people and allegations (`m2m`, by
    field name; a name left out keeps its links)."""
    if event._state.adding:
        event.created_by = actor
    return record_save(instance=event, actor=actor, request=request, m2m=m2m)


@transaction.atomic
def evidence_link_save(*, link: EvidenceLink, actor, request=None) -> EvidenceLink:
    """Save an evidence link. It belongs to its exhibit's matter; the model checks that the
    allegation or event, and the file, are of that matter and exhibit."""
    if link._state.adding:
        link.created_by = actor
        if link.matter_id is None and link.exhibit_id is not None:
            link.matter_id = link.exhibit.matter_id
    return record_save(instance=link, actor=actor, request=request)


def evidence_link_remove(*, link: EvidenceLink, actor, request=None) -> None:
    """Unpin an exhibit. The link is the team's reading of the evidence, not evidence: it may
    go, and the audit trail keeps what it said. The exhibit itself is untouched."""
    record_delete(instance=link, actor=actor, request=request)
