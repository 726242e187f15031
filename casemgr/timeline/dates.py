"""Dates of chronology entries, which are often known only roughly: an exact day, a month, a
year, "on or about" a day, or a range of days. Pure: no Django, no database.

The order of a chronology (tests/timeline/test_dates.py):
- every entry sorts at the START of its period: "March 2026" on 1 March, "2026" on 1 January,
  a range on its first day, "about 3 March 2026" on 3 March. So "March 2026" comes before
  "3 March 2026", and "14 October 2025 – 27 January 2026" before "3 November 2025";
- on the same first day the vaguer entry comes first, as a heading before its detail: year,
  month, range (the longer first), approximate, exact day;
- on the same exact day, entries without a time come before those with one, and timed entries
  go by their instant (UTC), whatever zone each is shown in;
- whatever still ties is broken by the caller (the kind of entry, then its id), so that two
  readings of the same chronology always agree.

`sort_key` packs all of this into one fixed-width string of digits, which sorts the same in
Python and in any database collation; it is stored on each event and computed the same way
for hearings and deadlines, so the three can be merged.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime

DAY = "day"
MONTH = "month"
YEAR = "year"
APPROXIMATE = "approximate"
RANGE = "range"

# Vaguer first on the same first day.
_RANK = {YEAR: 0, MONTH: 1, RANGE: 2, APPROXIMATE: 3, DAY: 4}

# Far enough apart for any dispute's history, near enough that every key has the same width.
EARLIEST = date(1800, 1, 1)
LATEST = date(2200, 12, 31)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def period_start(day: date, precision: str) -> date:
    """The first day of the period a date stands for: "March 2026" is kept as 1 March."""
    if precision == MONTH:
        return day.replace(day=1)
    if precision == YEAR:
        return day.replace(month=1, day=1)
    return day


def period_last(start: date, precision: str, end: date | None = None) -> date:
    """The last day of the period: a month's last day, 31 December, a range's end."""
    if precision == MONTH:
        return start.replace(day=monthrange(start.year, start.month)[1])
    if precision == YEAR:
        return start.replace(month=12, day=31)
    if precision == RANGE and end is not None:
        return end
    return start


def _digits(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def sort_key(
    *, start: date, precision: str, at: datetime | None = None, end: date | None = None
) -> str:
    """The position of an entry in the chronology (see the module's docstring).

    `start` is the first day of the period (see `period_start`), `at` the instant of a timed
    entry (aware), `end` the last day of a range."""
    start = period_start(start, precision)
    if at is not None:
        instant = at.astimezone(UTC)
        timed = "1" + _digits(instant.date()) + f"{instant:%H%M%S}"
    else:
        timed = "0" + "0" * 14
    # The longer range first: the complement of its length in days.
    span = (end - start).days if precision == RANGE and end is not None else 0
    return f"{_digits(start)}{_RANK[precision]}{timed}{999999 - span:06d}"


def _long(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def describe(start: date, precision: str, end: date | None = None) -> str:
    """The date as a chronology prints it: "3 March 2026", "March 2026", "2026",
    "about 3 March 2026", "3–5 November 2025", "14 October 2025 – 27 January 2026"."""
    if precision == MONTH:
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if precision == YEAR:
        return str(start.year)
    if precision == APPROXIMATE:
        return f"about {_long(start)}"
    if precision == RANGE and end is not None and end != start:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{_long(end)}"
        if start.year == end.year:
            return f"{start.day} {_MONTHS[start.month - 1]} – {_long(end)}"
        return f"{_long(start)} – {_long(end)}"
    return _long(start)
