"""The per-user iCalendar feed: live deadlines and listed hearings of the user's matters,
as far as their clearance reaches, for Outlook and Google Calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from casemgr.core.zones import court_date, wall_time
from casemgr.deadlines.models import LIVE_STATUSES, Deadline
from casemgr.matters.models import Hearing

# Far enough back that a deadline missed last month still shows, short enough to stay small.
PAST_WINDOW = timedelta(days=90)
HEARING_LENGTH = timedelta(hours=2)  # a calendar block, not the court's time estimate


def calendar_for_user(user) -> bytes:
    since = timezone.now() - PAST_WINDOW
    calendar = Calendar()
    calendar.add("prodid", "-//casemgr//deadlines and hearings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "casemgr deadlines and hearings")
    calendar.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})

    deadlines = (
        Deadline.objects.visible_to(user)
        .filter(status__in=LIVE_STATUSES, due_date__gte=since.date())
        .select_related("proceeding__matter", "proceeding__court__jurisdiction")
    )
    for deadline in deadlines:
        event = Event()
        matter, proceeding = deadline.proceeding.matter, deadline.proceeding
        event.add("uid", f"deadline-{deadline.pk}@casemgr")
        event.add("summary", f"DUE: {deadline.title} – {matter.reference}")
        zone = proceeding.court.zone
        if deadline.due_time is None:
            # An all-day event on the court's date: a deadline is a day, not an instant.
            event.add("dtstart", deadline.due_date)
            event.add("dtend", deadline.due_date + timedelta(days=1))
            due = court_date(deadline.due_date, zone)
        else:
            start = datetime.combine(deadline.due_date, deadline.due_time, zone)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=30))
            due = wall_time(start, zone, "D j M Y, H:i")
        event.add(
            "description",
            "\n".join(
                line
                for line in [
                    f"Due {due}",
                    f"{deadline.citation}" if deadline.citation else "",
                    deadline.derivation,
                    f"{matter.reference} {matter.title}",
                    str(proceeding),
                    settings.SITE_URL + deadline.get_absolute_url(),
                ]
                if line
            ),
        )
        event.add("url", settings.SITE_URL + deadline.get_absolute_url())
        event.add("dtstamp", timezone.now())
        calendar.add_component(event)

    hearings = (
        Hearing.objects.visible_to(user)
        .filter(status=Hearing.Status.LISTED, starts_at__gte=since)
        .select_related("proceeding__matter", "proceeding__court__jurisdiction")
    )
    for hearing in hearings:
        event = Event()
        matter, proceeding = hearing.proceeding.matter, hearing.proceeding
        event.add("uid", f"hearing-{hearing.pk}@casemgr")
        event.add("summary", f"{hearing.display_title} – {matter.reference}")
        event.add("dtstart", hearing.local_start)
        event.add("dtend", hearing.local_start + HEARING_LENGTH)
        event.add("location", hearing.venue or hearing.remote_link)
        event.add(
            "description",
            "\n".join(
                line
                for line in [
                    # The calendar shows the reader's zone; the court's clock is what the
                    # listing says.
                    wall_time(hearing.starts_at, proceeding.court.zone, "D j M Y, H:i"),
                    # The kind, when the summary gives the hearing's own title instead.
                    hearing.kind_note,
                    str(proceeding.court),
                    f"{matter.reference} {matter.title}",
                    str(proceeding),
                    f"Time estimate: {hearing.time_estimate}" if hearing.time_estimate else "",
                    settings.SITE_URL + proceeding.get_absolute_url(),
                ]
                if line
            ),
        )
        event.add("dtstamp", timezone.now())
        calendar.add_component(event)
    calendar.add_missing_timezones()  # VTIMEZONE for each TZID, as RFC 5545 and Outlook want
    return calendar.to_ical()
