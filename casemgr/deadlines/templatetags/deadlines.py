"""Deadlines in templates: where one stands, the same on every page, and the deadlines a
page of another app shows (the dashboard, a matter's overview, a proceeding's page), read
here through the deadlines' own selectors so that those apps need not import them."""

from django import template
from django.utils.html import format_html

from casemgr.deadlines import selectors

register = template.Library()

_BADGE = {
    "overdue": "badge--danger",
    "soon": "badge--warn",
    "open": "badge--open",
    "extended": "badge--extended",
    "done": "badge--done",
    "not_applicable": "badge--not_applicable",
}


@register.filter
def days_left(days: int) -> str:
    """7 -> "in 7 days", 1 -> "tomorrow", 0 -> "today", -2 -> "2 days overdue"."""
    return selectors.days_left(days)


@register.simple_tag
def deadline_state(deadline) -> str:
    """ "Overdue" (and by how long), "Due this week", "Open", "Done"… in words and a class,
    never in colour alone: the one way a deadline's state is shown."""
    state = getattr(deadline, "state", None) or selectors.deadline_state(deadline)
    badge = format_html(
        '<span class="badge {} deadline-state deadline-state--{}">{}</span>',
        _BADGE.get(state.key, "badge--muted"),
        state.key,
        state.label,
    )
    if not state.detail:
        return badge
    return format_html('{} <span class="deadline-state__detail">{}</span>', badge, state.detail)


@register.filter
def urgency(deadline) -> str:
    """ "overdue", "soon" or "": for a row's class (deadline--overdue); as with_urgency set
    it, where the rows came through it."""
    if hasattr(deadline, "urgency"):
        return deadline.urgency
    return selectors.urgency(deadline)


@register.inclusion_tag("deadlines/_ahead.html", takes_context=True)
def deadlines_ahead(context, matter=None):
    """The overdue and next deadlines of the reader's matters, or of one matter."""
    user = context["request"].user
    ahead = selectors.deadlines_ahead(user=user, matter=matter)
    return {"ahead": ahead, "matter": matter, "show_matter": matter is None}


@register.inclusion_tag("deadlines/_proceeding_deadlines.html", takes_context=True)
def proceeding_deadlines(context, proceeding):
    """A proceeding's triggers with the deadlines each gave, and those entered by hand."""
    user = context["request"].user
    return {
        "request": context["request"],
        "matter": context["matter"],
        "can_edit": context["can_edit"],
        "proceeding": proceeding,
        "triggers": selectors.triggers_for(proceeding, user),
        "rule_set": selectors.rule_set_for(proceeding),
        "other_deadlines": selectors.deadlines_visible(user).filter(
            proceeding=proceeding, trigger=None
        ),
    }
