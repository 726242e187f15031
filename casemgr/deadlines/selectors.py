"""Reading deadlines: what a user may see, as lists the pages and the API share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from casemgr.access import policy
from casemgr.deadlines.calendars import CourtCalendar, calendar_for
from casemgr.deadlines.engine import RuleSet, available_rule_sets, load_rule_set
from casemgr.deadlines.models import (
    LIVE_STATUSES,
    CourtClosure,
    Deadline,
    DeadlineStatus,
    TriggerEvent,
)
from casemgr.matters.models import Court, Proceeding

DUE_SOON_DAYS = 7


def rule_set_for(proceeding: Proceeding) -> RuleSet | None:
    """The procedural rules of the proceeding's court, if casemgr knows them."""
    code = proceeding.court.jurisdiction.rule_set
    return load_rule_set(code) if code in available_rule_sets() else None


def calendar_for_court(court: Court) -> CourtCalendar:
    closures = CourtClosure.objects.filter(court=court).values_list("day", flat=True)
    return calendar_for(court.jurisdiction.holiday_calendar, str(court.zone), closures)


def court_today(court: Court) -> date:
    return timezone.now().astimezone(court.zone).date()


def urgency(deadline: Deadline, today: date | None = None) -> str:
    """ "overdue", "soon" (within a week) or "" for a live deadline; "" once dealt with."""
    state = deadline_state(deadline, today)
    return state.key if state.key in ("overdue", "soon") else ""


def days_left(days: int) -> str:
    """7 -> "in 7 days", 1 -> "tomorrow", 0 -> "today", -2 -> "2 days overdue"."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "1 day overdue"
    return f"in {days} days" if days > 0 else f"{-days} days overdue"


@dataclass(frozen=True)
class DeadlineState:
    """Where a deadline stands, as every page shows it (the `deadline_state` tag)."""

    key: str  # overdue | soon | open | extended | done | not_applicable
    label: str  # "Overdue", "Due this week", "Open"…
    detail: str = ""  # "by 2 days", "tomorrow", "in 3 days (extended)"…


def deadline_state(deadline: Deadline, today: date | None = None) -> DeadlineState:
    """Overdue once the court's date has passed at the court (not at the reader's desk);
    due this week within DUE_SOON_DAYS; otherwise its status."""
    status = DeadlineState(deadline.status, deadline.get_status_display())
    if not deadline.is_live:
        return status
    today = today or court_today(deadline.proceeding.court)
    days = (deadline.due_date - today).days
    extended = " (extended)" if deadline.status == DeadlineStatus.EXTENDED else ""
    if days < 0:
        late = f"by {-days} day{'' if days == -1 else 's'}"
        return DeadlineState("overdue", "Overdue", late + extended)
    if days <= DUE_SOON_DAYS:
        return DeadlineState("soon", "Due this week", days_left(days) + extended)
    return status


def with_urgency(deadlines) -> list[Deadline]:
    """The rows, each with its `state` (a DeadlineState) and `urgency` set, asking each court
    for its today once: the templates' `deadline_state` tag and `urgency` filter read them
    instead of working each out again for every row."""
    today_by_court = {}
    rows = list(deadlines)
    for deadline in rows:
        court = deadline.proceeding.court
        if court.pk not in today_by_court:
            today_by_court[court.pk] = court_today(court)
        deadline.state = deadline_state(deadline, today_by_court[court.pk])
        deadline.urgency = deadline.state.key if deadline.state.key in ("overdue", "soon") else ""
    return rows


@dataclass(frozen=True)
class DeadlineFilters:
    status: str = "live"  # live | all | one of Deadline.Status
    proceeding: int | None = None
    mine: bool = False


def deadlines_visible(user) -> QuerySet[Deadline]:
    return (
        Deadline.objects.visible_to(user)
        .select_related("proceeding__court__jurisdiction", "proceeding__matter", "trigger")
        .prefetch_related("responsible")
    )


def _filtered(deadlines: QuerySet[Deadline], user, filters: DeadlineFilters) -> QuerySet:
    if filters.status == "live":
        deadlines = deadlines.filter(status__in=LIVE_STATUSES)
    elif filters.status in Deadline.Status.values:
        deadlines = deadlines.filter(status=filters.status)
    if filters.proceeding:
        deadlines = deadlines.filter(proceeding_id=filters.proceeding)
    if filters.mine:
        deadlines = deadlines.filter(responsible=user)
    return deadlines


def deadlines_for_matter(*, matter, user, filters: DeadlineFilters | None = None) -> QuerySet:
    return _filtered(
        deadlines_visible(user).filter(proceeding__matter=matter),
        user,
        filters or DeadlineFilters(),
    )


def deadlines_for_user(user) -> QuerySet[Deadline]:
    """ "My deadlines": live deadlines across all the user's matters that name the user, or
    that name nobody (then the whole team answers for them)."""
    assignments = Deadline.responsible.through.objects
    named = Q(pk__in=assignments.filter(user=user).values("deadline_id"))
    unassigned = ~Q(pk__in=assignments.values("deadline_id"))
    return deadlines_visible(user).filter(named | unassigned, status__in=LIVE_STATUSES)


def deadlines_for_team(user) -> QuerySet[Deadline]:
    """A partner's "my team": live deadlines of every member, in the matters the user is a
    partner of (none for anyone else), within the user's own clearance there."""
    return deadlines_visible(user).filter(
        proceeding__matter__in=policy.matters_led_by(user), status__in=LIVE_STATUSES
    )


@dataclass(frozen=True)
class DeadlinesAhead:
    overdue: list[Deadline]  # every one
    upcoming: list[Deadline]  # the next few


# Every court's today lies between these two dates (zones run from UTC−12 to UTC+14).
_ZONES_BEHIND, _ZONES_AHEAD = timedelta(hours=12), timedelta(hours=14)


def deadlines_ahead(*, user, matter=None, upcoming: int = 5) -> DeadlinesAhead:
    """For the dashboard (all the user's matters) and a matter's overview: every overdue live
    deadline and the next `upcoming` ones, whoever answers for them, within the user's
    clearance. Overdue is decided at each deadline's court."""
    # Who answers for each is read once for both lists, below.
    live = deadlines_visible(user).prefetch_related(None).filter(status__in=LIVE_STATUSES)
    if matter is not None:
        live = live.filter(proceeding__matter=matter)
    now = timezone.now()
    could_be_overdue = live.filter(due_date__lt=(now + _ZONES_AHEAD).date())
    overdue = [d for d in with_urgency(could_be_overdue) if d.urgency == "overdue"]
    later = live.filter(due_date__gte=(now - _ZONES_BEHIND).date()).exclude(
        pk__in=[d.pk for d in overdue]
    )
    ahead = DeadlinesAhead(overdue=overdue, upcoming=with_urgency(later[:upcoming]))
    prefetch_related_objects([*ahead.overdue, *ahead.upcoming], "responsible")
    return ahead


def triggers_for(proceeding: Proceeding, user) -> QuerySet[TriggerEvent]:
    deadlines = (
        Deadline.objects.visible_to(user)
        .select_related("proceeding__court__jurisdiction")
        .prefetch_related("responsible")
    )
    return (
        TriggerEvent.objects.visible_to(user)
        .filter(proceeding=proceeding)
        .select_related("recorded_by", "proceeding__court__jurisdiction")
        .prefetch_related(Prefetch("deadlines", queryset=deadlines))
    )


def proceedings_without_upcoming(user, matter=None, matters=None) -> QuerySet[Proceeding]:
    """Live proceedings with no live deadline from today on: either nothing is due, or
    something was never entered. Both deserve a look."""
    today = timezone.localdate()
    upcoming = Deadline.objects.visible_to(user).filter(
        proceeding=OuterRef("pk"), status__in=LIVE_STATUSES, due_date__gte=today
    )
    proceedings = (
        Proceeding.objects.visible_to(user)
        .filter(status__in=[Proceeding.Status.ACTIVE, Proceeding.Status.PRE_ACTION])
        .filter(~Exists(upcoming))
        .select_related("court", "matter")
    )
    if matters is not None:
        proceedings = proceedings.filter(matter__in=matters)
    return proceedings.filter(matter=matter) if matter is not None else proceedings
