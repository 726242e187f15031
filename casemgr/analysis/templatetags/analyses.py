"""The exhibit page's Analysis section, drawn by the analysis app so that evidence, which
analysis builds on, never imports it."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

from casemgr.analysis import selectors
from casemgr.analysis.services import READABLE

register = template.Library()


@register.inclusion_tag("analysis/_exhibit_analyses.html", takes_context=True)
def exhibit_analyses(context, exhibit, files):
    readable = {kind for kinds in READABLE.values() for kind in kinds}
    analysable = [
        {
            "file": f,
            "as_log": f.kind in READABLE["logs"],
            "as_outputs": f.kind in READABLE["outputs"],
        }
        for f in files
        if f.kind in readable
    ]
    analyses = []
    if analysable:
        analyses = list(selectors.analyses_of_exhibit(exhibit=exhibit, user=context["user"]))
    return {
        "matter": context["matter"],
        "can_edit": context.get("can_edit"),
        "analysable": analysable,
        "analyses": analyses,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def number(value) -> str:
    """12,345: a count as a reader takes it in (no locale guessing: the figures go to court)."""
    return f"{value:,}" if isinstance(value, int) else value


@register.filter
def when(value) -> str:
    """An instant from the results (ISO text, UTC) or the Parquet copy, as "5 Jan 2026 13:00"."""
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%-d %b %Y %H:%M")
    return str(value)
