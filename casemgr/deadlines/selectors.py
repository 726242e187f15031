"""Reading deadlines: what a user may see, as lists the pages and the API share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from casemgr.deadlines.calendars import CourtCalendar, calendar_for
from casemgr.deadlines.engine import RuleSet, available_rule_sets, load_rule_set
from casemgr.deadlines.models import LIVE_STATUSES, CourtClosure, Deadline, TriggerEvent
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
    if not deadline.is_live:
        return ""
    today = today or court_today(deadline.proceeding.court)
    if deadline.due_date < today:
        return "overdue"
    if deadline.due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return ""


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


def triggers_for(proceeding: Proceeding, user) -> QuerySet[TriggerEvent]:
    deadlines = Deadline.objects.visible_to(user).prefetch_related("responsible")
    return (
        TriggerEvent.objects.visible_to(user)
        .filter(proceeding=proceeding)
        .select_related("recorded_by", "proceeding__court__jurisdiction")
        .prefetch_related(Prefetch("deadlines", queryset=deadlines))
    )


def proceedings_without_upcoming(user, matter=None) -> QuerySet[Proceeding]:
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
    return proceedings.filter(matter=matter) if matter is not None else proceedings
