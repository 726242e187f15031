"""How casemgr names a time zone and writes a time in it – in pages, e-mails, the calendar
feed and the exports alike: "Tue 9 Mar 2027, 09:30 Shanghai (UTC+8)".

Not "Asia/Shanghai" (a database key, not what a lawyer reads) and not "CST" (China, Cuba or
Central Standard Time: abbreviations mean different things in different countries, and a
cross-border matter has several).
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from django.utils import timezone
from django.utils.dateformat import format as date_format


def zone_label(zone: tzinfo, moment: datetime | date | None = None) -> str:
    """ "London (UTC+0)", "London (UTC+1)" in summer, "Kolkata (UTC+5:30)".

    The offset is the one in force at `moment`: an instant, or a day (its midday, the
    court's working day), or – for a zone named on its own – now."""
    if moment is None:
        moment = timezone.now()
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12, 0), zone)
    key = getattr(zone, "key", None) or str(zone)
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    offset = moment.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{city} (UTC{sign}{hours}{f':{rest:02d}' if rest else ''})"


def wall_time(moment: datetime, zone: tzinfo | None = None, fmt: str = "H:i") -> str:
    """`moment` as a clock in `zone` shows it (by default the zone it carries), followed by
    the zone's label: "09:30 Shanghai (UTC+8)"; with fmt="D j M Y, H:i",
    "Tue 9 Mar 2027, 09:30 Shanghai (UTC+8)". `fmt` takes Django's date format letters."""
    zone = zone or moment.tzinfo
    local = moment.astimezone(zone)
    return f"{date_format(local, fmt)} {zone_label(zone, local)}"


def court_date(day: date, zone: tzinfo, fmt: str = "D j M Y") -> str:
    """A date that is a court's day rather than an instant (a deadline with no time):
    "Mon 1 Mar 2027, the court's date in Shanghai (UTC+8)"."""
    return f"{date_format(day, fmt)}, the court's date in {zone_label(zone, day)}"
