"""Demo deadlines for NWA-0042, dated from today so the demo always has something overdue,
something due this week and something further off. Triggers go through the same engine as
the app; rows are written through the ORM without audit rows, like the rest of the demo.

Loading is idempotent: a trigger (or hand-entered deadline) already there is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casemgr.deadlines.models import Deadline, DeadlineStatus, TriggerEvent
from casemgr.deadlines.reminders import reminders_sync_deadline, reminders_sync_hearing
from casemgr.deadlines.services import deadlines_compute
from casemgr.matters.models import Hearing, Matter


@dataclass(frozen=True)
class DemoTrigger:
    case_number: str
    event: str
    days_ago: int
    at: time
    note: str
    method: str = ""
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoDeadline:
    case_number: str
    title: str
    days_ahead: int  # negative: already past
    citation: str
    responsible: str = ""
    status: str = DeadlineStatus.OPEN


TRIGGERS = [
    DemoTrigger("IL-2026-000123", "decision", 6, time(14, 0), "Judgment on the interim injunction"),
    DemoTrigger(
        "IL-2026-000123",
        "order_made",
        9,
        time(16, 10),
        "Order: Defendants to give specific disclosure of API access logs",
        options={"days": 21},
    ),
    DemoTrigger(
        "IL-2026-000123",
        "document_served",
        1,
        time(16, 45),
        "Defendants' Part 18 request, answer within 14 days",
        method="email",
        options={"days": 14},
    ),
    DemoTrigger("3:26-cv-04417", "rule_26f_conference", 4, time(11, 0), "Rule 26(f) conference"),
]
BY_HAND = [
    DemoDeadline(
        "IL-2026-000123",
        "Serve list of issues for the CMC",
        -2,
        "Order of 24 June 2026, para 4",
        "associate",
    ),
    DemoDeadline(
        "IL-2026-000123",
        "Exchange expert reports on model distillation",
        3,
        "Order of 24 June 2026, para 9",
        "associate",
    ),
    DemoDeadline(
        "IL-2026-000123",
        "File costs budget (Precedent H)",
        -20,
        "CPR 3.13(1)(b)",
        "paralegal",
        DeadlineStatus.DONE,
    ),
]


@transaction.atomic
def demo_deadlines_load() -> int:
    matter = Matter.objects.filter(reference="NWA-0042").first()
    if matter is None:
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(memberships__matter=matter)}
    proceedings = {
        p.case_number: p for p in matter.proceedings.select_related("court__jurisdiction")
    }
    today = timezone.now().date()
    made = 0
    for demo in TRIGGERS:
        proceeding = proceedings[demo.case_number]
        if TriggerEvent.objects.filter(proceeding=proceeding, note=demo.note).exists():
            continue
        when = datetime.combine(
            today - timedelta(days=demo.days_ago), demo.at, proceeding.court.zone
        )
        trigger = TriggerEvent(
            proceeding=proceeding,
            event=demo.event,
            occurred_at=when,
            method=demo.method,
            options=demo.options,
            note=demo.note,
            recorded_by=users.get("associate"),
        )
        computed = deadlines_compute(proceeding=proceeding, trigger=trigger)
        trigger.save()
        for result in computed:
            deadline = Deadline.objects.create(
                proceeding=proceeding,
                trigger=trigger,
                rule_key=result.key,
                title=result.title,
                citation=result.citation,
                derivation=result.derivation,
                due_date=result.due_date,
                due_time=result.due_time,
                computed_date=result.due_date,
            )
            reminders_sync_deadline(deadline)
            made += 1
    for demo in BY_HAND:
        proceeding = proceedings[demo.case_number]
        if Deadline.objects.filter(proceeding=proceeding, title=demo.title).exists():
            continue
        deadline = Deadline.objects.create(
            proceeding=proceeding,
            title=demo.title,
            citation=demo.citation,
            status=demo.status,
            due_date=today + timedelta(days=demo.days_ahead),
            completed_at=timezone.now() if demo.status == DeadlineStatus.DONE else None,
        )
        if demo.responsible in users:
            deadline.responsible.set([users[demo.responsible]])
        reminders_sync_deadline(deadline)
        made += 1
    for hearing in Hearing.objects.filter(proceeding__matter=matter).select_related(
        "proceeding__court__jurisdiction"
    ):
        reminders_sync_hearing(hearing)
    return made
