"""Small helpers for the timeline's templates."""

from __future__ import annotations

from django import template

from casemgr.core.zones import wall_time
from casemgr.evidence.models import ExhibitFile

register = template.Library()

_STATUS = {"agreed": "badge--ok", "disputed": "badge--danger"}
_STANCE = {"supports": "stance--supports", "contradicts": "stance--contradicts"}
_STANCE_MARK = {"supports": "✓", "contradicts": "✗", "context": "•", "mixed": "±"}


@register.filter
def status_class(status: str) -> str:
    return _STATUS.get(status, "badge--muted")


@register.filter
def stance_class(stance: str) -> str:
    return _STANCE.get(stance, f"stance--{stance}")


@register.filter
def stance_mark(stance: str) -> str:
    return _STANCE_MARK.get(stance, "")


@register.filter
def entry_time(item) -> str:
    """ "09:00 London (UTC+0)": the wall clock where it happened, or the court's."""
    local = item.local_time
    if local is None:
        return ""
    return wall_time(local)


@register.filter
def claim_by_id(claim_id: int, claims_by_id: dict):
    return claims_by_id.get(claim_id)


@register.filter
def evidence_url(link) -> str:
    """Where a click on a piece of evidence goes: the file's PDF preview at the first page
    cited when it has one ready, else the exhibit's page."""
    ready = link.exhibit_file_id and link.exhibit_file.rendition == ExhibitFile.Rendition.READY
    return link.preview_url if ready else link.exhibit.get_absolute_url()


@register.filter
def claim_short(claim) -> str:
    """A claim's cause of action without its statutory detail: "Breach of contract – the
    Northwind API Terms of Service" -> "Breach of contract"; long names cut at six words."""
    if claim is None:
        return ""
    name = str(claim.cause_of_action)
    for mark in (" (", " – ", " - ", ", "):
        name = name.split(mark, 1)[0]
    words = name.split()
    return " ".join(words[:6]) + ("…" if len(words) > 6 else "")
