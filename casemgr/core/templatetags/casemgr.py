from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import format_html

from casemgr.core.text import breakable
from casemgr.core.zones import wall_time, zone_label

register = template.Library()

# Free text in the PDF exports: long runs without a space made breakable (core.text). The
# result is plain text, escaped by the template like any other value.
register.filter("breakable", breakable)


@register.simple_tag(name="zone_label")
def zone_label_tag(zone: ZoneInfo, moment: datetime | date | None = None) -> str:
    """ "Shanghai (UTC+8)": the zone as every page, e-mail and export names it (core.zones).
    `zone` may also be a zone's name ("Asia/Shanghai")."""
    return zone_label(ZoneInfo(zone) if isinstance(zone, str) else zone, moment)


@register.simple_tag
def court_time(value: datetime | None, zone: ZoneInfo, fmt: str = "D j M Y, H:i") -> str:
    """A moment as the court's wall clock shows it, e.g. "Tue 9 Mar 2027, 10:30 London (UTC+0)".

    The <time> element carries the exact instant, so the browser can add the reader's own
    local time where it differs (static/js/app.js).
    """
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}" data-court-zone="{}">{}</time>',
        value.isoformat(),
        zone.key,
        wall_time(value, zone, fmt),
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
