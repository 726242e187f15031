from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from casemgr.core.text import breakable

register = template.Library()

# Free text in the PDF exports: long runs without a space made breakable (core.text). The
# result is plain text, escaped by the template like any other value.
register.filter("breakable", breakable)


def zone_label(zone: ZoneInfo, moment: datetime) -> str:
    """ "London (UTC+0)", "Shanghai (UTC+8)": abbreviations like CST mean different things in
    different countries, and a cross-border matter has several."""
    city = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{city} (UTC{sign}{hours}{f':{rest:02d}' if rest else ''})"


@register.simple_tag
def court_time(value: datetime | None, zone: ZoneInfo, fmt: str = "D j M Y, H:i") -> str:
    """A moment as the court's wall clock shows it, e.g. "Tue 9 Mar 2027, 10:30 London (UTC+0)".

    The <time> element carries the exact instant, so the browser can add the reader's own
    local time where it differs (static/js/app.js).
    """
    if value is None:
        return ""
    local = value.astimezone(zone)
    return format_html(
        '<time datetime="{}" data-court-zone="{}">{} {}</time>',
        value.isoformat(),
        zone.key,
        date_format(local, fmt),
        zone_label(zone, local),
    )


@register.filter
def response_class(response: str) -> str:
    """CSS modifier for a pleaded response badge."""
    return {
        "admitted": "badge--ok",
        "denied": "badge--danger",
        "not_admitted": "badge--warn",
    }.get(response, "badge--muted")


@register.simple_tag(takes_context=True)
def nav_active(context, *url_names: str) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return "is-active" if match and match.url_name in url_names else ""


@register.filter
def minutes(duration: timedelta) -> str:
    count = round(duration.total_seconds() / 60)
    return f"{count} minute{'s' if count != 1 else ''}"
