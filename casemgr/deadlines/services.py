"""Writing deadlines: recording triggers, recomputing, editing and extending by hand.

Every write is audited through `record_save`; every change of a due date therefore shows
in the audit trail with its from/to. Reminder rows follow each change (reminders.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, MatterMembership
from casemgr.core.services import record_save
from casemgr.deadlines import engine
from casemgr.deadlines.calendars import calendar_for
from casemgr.deadlines.models import Deadline, DeadlineStatus, Extension, TriggerEvent
from casemgr.deadlines.reminders import reminders_sync_deadline
from casemgr.deadlines.selectors import calendar_for_court, rule_set_for

# CPR 15.5(1): the parties may agree to extend the time for a defence by up to 28 days;
# anything longer needs the court.
AGREED_DEFENCE_EXTENSION_LIMIT = timedelta(days=28)
DEFENCE_RULE = "cpr-15.4-defence"  # fixtures/rules/cpr.json; also cited as PD 6B para 6.4


# Where a quick check names only the rules, the calendar and zone of their home court.
RULE_SET_HOMES = {"cpr": ("GB-ENG", "Europe/London"), "frcp": ("US", "America/New_York")}


def deadlines_check(
    *, rules: str, trigger: engine.Trigger, time_zone: str = ""
) -> list[engine.ComputedDeadline]:
    """A quick check without a proceeding (the API's and the command's): the rule set's
    home calendar, in `time_zone` if given. Bad input raises engine.RuleError."""
    holidays, home_zone = RULE_SET_HOMES[rules]
    calendar = calendar_for(holidays, time_zone or home_zone)
    return engine.compute(engine.load_rule_set(rules), trigger, calendar)


def deadlines_compute(*, proceeding, trigger: TriggerEvent) -> list[engine.ComputedDeadline]:
    """What the court's rules make of the trigger, without saving anything."""
    rule_set = rule_set_for(proceeding)
    if rule_set is None:
        raise ValidationError(
            f"casemgr has no rule set for {proceeding.court.jurisdiction}; "
            "enter its deadlines by hand."
        )
    try:
        return engine.compute(
            rule_set,
            engine.Trigger(
                event=trigger.event,
                at=trigger.occurred_at,
                method=trigger.method,
                options=trigger.options or {},
            ),
            calendar_for_court(proceeding.court),
        )
    except engine.RuleError as error:
        raise ValidationError(str(error)) from error


@transaction.atomic
def trigger_record(*, trigger: TriggerEvent, actor, request=None) -> TriggerEvent:
    """Save a trigger (new or edited) and bring its deadlines up to date."""
    computed = deadlines_compute(proceeding=trigger.proceeding, trigger=trigger)
    if trigger._state.adding:
        trigger.recorded_by = actor
    record_save(instance=trigger, actor=actor, request=request)
    _deadlines_apply(trigger=trigger, computed=computed, actor=actor, request=request)
    return trigger


def _deadlines_apply(*, trigger, computed, actor, request) -> None:
    existing = {d.rule_key: d for d in trigger.deadlines.select_for_update()}
    for result in computed:
        deadline = existing.pop(result.key, None)
        if deadline is None:
            deadline = Deadline(proceeding=trigger.proceeding, trigger=trigger, rule_key=result.key)
        deadline.title = result.title
        deadline.citation = result.citation
        deadline.derivation = result.derivation
        deadline.computed_date = result.due_date
        deadline.computed_time = result.due_time
        # A date a lawyer moved by hand (or by an extension) is theirs: recomputing updates
        # what the rules say beside it, never the date itself.
        if not deadline.edited_by_hand:
            deadline.due_date = result.due_date
            deadline.due_time = result.due_time
        record_save(instance=deadline, actor=actor, request=request)
        reminders_sync_deadline(deadline)
    for stale in existing.values():
        if stale.edited_by_hand or stale.status != DeadlineStatus.OPEN:
            # Someone worked on it; keep it, but say the rules no longer produce it.
            stale.computed_date = None
            stale.derivation = "No longer follows from the trigger as now recorded."
            record_save(instance=stale, actor=actor, request=request)
            continue
        audit_record(
            action=AuditAction.DELETE,
            request=request,
            actor=actor,
            matter=trigger.proceeding.matter,
            obj=stale,
            detail={
                "reason": "no longer follows from the trigger",
                "due_date": str(stale.due_date),
            },
        )
        stale.delete()  # its unsent reminders go with it


def _check_responsible(deadline: Deadline, responsible) -> None:
    """Whoever answers for a deadline must be able to see it."""
    if not responsible:
        return
    cleared = MatterMembership.objects.filter(
        matter_id=deadline.proceeding.matter_id,
        user__in=responsible,
        clearance__gte=deadline.designation,
    ).count()
    if cleared != len({user.pk for user in responsible}):
        raise ValidationError(
            {"responsible": "Name only members whose clearance reaches the deadline's designation."}
        )


@transaction.atomic
def deadline_save(*, deadline: Deadline, actor, request=None, responsible=None) -> Deadline:
    """A deadline entered or edited by hand. A date or time that differs from the rules' is
    flagged, so a later recomputation keeps it; put back, it follows the rules again."""
    if deadline.computed_date is not None:
        deadline.edited_by_hand = (deadline.due_date, deadline.due_time) != (
            deadline.computed_date,
            deadline.computed_time,
        )
    saved = deadline.pk is not None
    if deadline.status == DeadlineStatus.EXTENDED and not (saved and deadline.extensions.exists()):
        raise ValidationError({"status": "Record an extension to mark a deadline extended."})
    _check_responsible(deadline, responsible)  # given by the edit forms and the API
    if deadline.status == DeadlineStatus.DONE and deadline.completed_at is None:
        deadline.completed_at = timezone.now()
    elif deadline.status != DeadlineStatus.DONE:
        deadline.completed_at = None
    m2m = {"responsible": responsible} if responsible is not None else None
    record_save(instance=deadline, actor=actor, request=request, m2m=m2m)
    reminders_sync_deadline(deadline)
    return deadline


@transaction.atomic
def deadline_set_status(*, deadline: Deadline, status: str, actor, request=None) -> Deadline:
    if status == DeadlineStatus.OPEN and deadline.extensions.exists():
        status = DeadlineStatus.EXTENDED  # reopened, it is still the extended date
    deadline.status = status
    return deadline_save(deadline=deadline, actor=actor, request=request)


def _latest_agreeable_date(deadline: Deadline) -> date | None:
    """The latest date the parties may agree for a defence (CPR 15.5: the rule 15.4 period
    plus at most 28 days), or None where no such cap applies.

    For a deadline the rules produced, the rules themselves say, with 28 days' extension –
    counted before the end of the period is rolled past a closed day, as CPR 2.8 does. After
    an order of the court, the order governs and agreements are the lawyers' judgment."""
    is_defence = deadline.rule_key == DEFENCE_RULE or deadline.citation.startswith("CPR 15.4")
    if not is_defence or deadline.extensions.filter(by_order=True).exists():
        return None
    trigger = deadline.trigger
    if trigger is not None and deadline.rule_key == DEFENCE_RULE:
        extended = TriggerEvent(
            proceeding=trigger.proceeding,
            event=trigger.event,
            occurred_at=trigger.occurred_at,
            method=trigger.method,
            options={**(trigger.options or {}), "extension_days": 28},
        )
        for result in deadlines_compute(proceeding=trigger.proceeding, trigger=extended):
            if result.key == deadline.rule_key:
                return result.due_date
    # Entered by hand: 28 days from the date before any extension was recorded.
    first = deadline.extensions.order_by("recorded_at").first()
    base = first.previous_date if first else (deadline.computed_date or deadline.due_date)
    return base + AGREED_DEFENCE_EXTENSION_LIMIT


@transaction.atomic
def deadline_extend(
    *,
    deadline: Deadline,
    new_date: date,
    agreed_with: str,
    reason: str,
    by_order: bool = False,
    actor,
    request=None,
) -> Extension:
    """Move a deadline by agreement or order, recording who agreed it and why."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if not deadline.is_live:
        raise ValidationError(
            f"This deadline is {deadline.get_status_display().lower()}; reopen it before "
            "extending it."
        )
    errors = {}
    if new_date <= deadline.due_date:
        errors["new_date"] = "An extension must move the deadline later."
    if not agreed_with.strip():
        errors["agreed_with"] = "Say who agreed or ordered the extension."
    if not reason.strip():
        errors["reason"] = "Say why the deadline was extended."
    limit = None if by_order else _latest_agreeable_date(deadline)
    if limit is not None and new_date > limit:
        errors["new_date"] = (
            f"CPR 15.5 lets the parties agree at most 28 more days for a defence (to "
            f"{limit:%a %d %b %Y}); a longer extension needs an order of the court."
        )
    if errors:
        raise ValidationError(errors)
    extension = Extension(
        deadline=deadline,
        previous_date=deadline.due_date,
        new_date=new_date,
        agreed_with=agreed_with.strip(),
        reason=reason.strip(),
        by_order=by_order,
        recorded_by=actor,
    )
    record_save(instance=extension, actor=actor, request=request)
    deadline.due_date = new_date
    deadline.status = DeadlineStatus.EXTENDED
    deadline.edited_by_hand = True
    record_save(instance=deadline, actor=actor, request=request)
    reminders_sync_deadline(deadline)
    return extension
