"""Court calendars: which days a court's time runs on, with no Django in sight.

A `CourtCalendar` joins a public holiday calendar ("GB-ENG", "US" or "CN"), the court's
time zone and the court's own closure days (HMCTS closed on 24 December 2025, say).

Two kinds of closed day matter to procedural rules, and the calendar answers for both:

* public non-business days: weekends and public holidays (CPR 6.2(b) and 2.8(4), FRCP
  6(a)(6)). Deemed service and short-period counting use these; a court closure does not
  change when an e-mail is deemed served. Ask with `include_closures=False`.
* days the court office is closed: the above plus the court's closures (CPR 2.8(5),
  FRCP 6(a)(3)). This is the default.

In "CN" a Saturday or Sunday that the State Council makes an official working day (调休) is a
business day, and the weekdays of Golden Week that the holidays package lists as days off
are not.
"""

from __future__ import annotations

import threading
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

HOLIDAY_CALENDARS = {
    "GB-ENG": "England and Wales bank holidays, Good Friday and Christmas Day",
    "US": "United States federal holidays, with the days they are observed on",
    "CN": "People's Republic of China public holidays and make-up working days",
}

# A holidays object fills itself in year by year the first time a date of that year is
# looked up; that mutates it, so lookups on the shared, cached objects take this lock.
_LOOKUP_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _public_holidays(holiday_calendar: str) -> holidays.HolidayBase:
    # No `years`: with expand=True (the default) each year is added on first lookup, so the
    # cached object serves any year without being rebuilt.
    if holiday_calendar == "GB-ENG":
        return holidays.country_holidays("GB", subdiv="ENG")
    if holiday_calendar == "US":
        return holidays.country_holidays("US", observed=True)
    if holiday_calendar == "CN":
        return holidays.country_holidays("CN")
    raise ValueError(
        f"Unknown holiday calendar {holiday_calendar!r}; "
        f"known: {', '.join(sorted(HOLIDAY_CALENDARS))}."
    )


class CourtCalendar:
    """The days a court's time runs on, and the court's time zone."""

    def __init__(
        self,
        holiday_calendar: str,
        zone: zoneinfo.ZoneInfo,
        closures: Iterable[date] | Mapping[date, str] = (),
    ):
        """`closures` are extra days the court office is closed, treated like holidays. A
        mapping of day to reason is accepted too; the reason then shows in derivations."""
        self._holidays = _public_holidays(holiday_calendar)
        self.holiday_calendar = holiday_calendar
        self.zone = zone
        if isinstance(closures, Mapping):
            self.closures = {day: str(reason or "") for day, reason in closures.items()}
        else:
            self.closures = dict.fromkeys(closures, "")

    def __repr__(self) -> str:
        return f"CourtCalendar({self.holiday_calendar!r}, {self.zone.key!r})"

    def holiday_name(self, day: date) -> str | None:
        """The public holiday on `day`, if any ("Good Friday", "Boxing Day (observed)")."""
        with _LOOKUP_LOCK:
            return self._holidays.get(day)

    def closure_reason(self, day: date, *, include_closures: bool = True) -> str | None:
        """Why the court's time does not run on `day` ("Saturday", "Good Friday", "Court
        closed"...), or None if it is a business day."""
        with _LOOKUP_LOCK:
            # is_working_day knows the PRC's make-up working days; it also fills in the year.
            working = self._holidays.is_working_day(day)
            name = self._holidays.get(day)
        if not working:
            return name or f"{day:%A}"
        if include_closures and day in self.closures:
            reason = self.closures[day]
            return f"Court closed ({reason})" if reason else "Court closed"
        return None

    def is_business_day(self, day: date, *, include_closures: bool = True) -> bool:
        return self.closure_reason(day, include_closures=include_closures) is None

    def next_business_day(self, day: date, *, include_closures: bool = True) -> date:
        """`day` itself if it is a business day, otherwise the next one."""
        while not self.is_business_day(day, include_closures=include_closures):
            day += timedelta(days=1)
        return day

    def previous_business_day(self, day: date, *, include_closures: bool = True) -> date:
        """`day` itself if it is a business day, otherwise the last one before it."""
        while not self.is_business_day(day, include_closures=include_closures):
            day -= timedelta(days=1)
        return day

    def add_business_days(self, day: date, n: int, *, include_closures: bool = True) -> date:
        """The n-th business day after `day` (before it when n is negative); `day` itself
        when n is 0. `day` need not be a business day."""
        step = timedelta(days=1 if n >= 0 else -1)
        for _ in range(abs(n)):
            day += step
            while not self.is_business_day(day, include_closures=include_closures):
                day += step
        return day

    def local_date(self, at: datetime) -> date:
        """The date in the court's zone of an aware datetime."""
        return self.local_datetime(at).date()

    def local_datetime(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"{at} has no time zone; give an aware datetime.")
        return at.astimezone(self.zone)


def calendar_for(
    holiday_calendar: str, zone_name: str, closures: Iterable[date] = ()
) -> CourtCalendar:
    """A court calendar from codes as stored on a jurisdiction and a court."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"Unknown time zone {zone_name!r}.") from error
    return CourtCalendar(holiday_calendar, zone, closures)
