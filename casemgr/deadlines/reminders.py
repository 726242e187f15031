"""Reminder e-mails: who is reminded of what and when (scheduling), and sending what is due.

Scheduling keeps one Reminder row per deadline (or hearing) × person × offset in step with
the deadline: rows are made, moved or removed whenever a deadline, a hearing, a member or
someone's settings change. Sending is a sweep run by Celery beat every few minutes: it
claims due rows with `select_for_update(skip_locked=True)`, so sweeps running side by side
share the work, and marks each row sent in the transaction that hands its message to the
mail server (core/mail.py), so each reminder goes exactly once even if a worker dies.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from casemgr.access.models import Clearance, MatterMembership
from casemgr.access.policy import EDITING_ROLES
from casemgr.core.mail import DeliveryRefused, Postman
from casemgr.deadlines.models import (
    DEFAULT_OFFSETS,
    LIVE_STATUSES,
    Deadline,
    Reminder,
)
from casemgr.matters.models import Hearing

logger = logging.getLogger(__name__)

RETRY_STEP = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=1)


# --- Scheduling -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    offsets: list[int]
    zone: ZoneInfo
    send_time: object  # datetime.time


def _plans(memberships) -> dict[int, _Plan]:
    plans = {}
    for membership in memberships:
        preference = getattr(membership.user, "reminder_preference", None)
        if preference is None:
            plans[membership.user_id] = _Plan(DEFAULT_OFFSETS, ZoneInfo("Europe/London"), None)
        else:
            plans[membership.user_id] = _Plan(
                preference.offsets, ZoneInfo(preference.time_zone), preference.send_time
            )
    return plans


def _recipients(matter_id: int, *, designation: int, named_user_ids: list[int] | None):
    members = MatterMembership.objects.filter(
        matter_id=matter_id, clearance__gte=designation, user__is_active=True
    ).exclude(user__email="")
    if named_user_ids:
        members = members.filter(user_id__in=named_user_ids)
    elif named_user_ids is not None:
        members = members.filter(role__in=EDITING_ROLES)
    return members.select_related("user__reminder_preference")


def _schedule(rows, *, new_row, target: date | None, memberships) -> None:
    """Bring `rows` (one subject's reminders) in line with `target`, the date reminded of
    (None: nothing to remind of any more)."""
    now = timezone.now()
    wanted: dict[tuple[int, int], datetime] = {}
    if target is not None:
        for user_id, plan in _plans(memberships).items():
            today = now.astimezone(plan.zone).date()
            send_time = plan.send_time or datetime.min.time().replace(hour=8)
            for offset in plan.offsets:
                day = target - timedelta(days=offset)
                if day >= today:  # a "14 days before" already past is not sent late
                    wanted[(user_id, offset)] = datetime.combine(day, send_time, tzinfo=plan.zone)
    existing = {(row.user_id, row.offset_days): row for row in rows}
    changed, created = [], []
    for (user_id, offset), send_at in wanted.items():
        row = existing.pop((user_id, offset), None)
        if row is None:
            created.append(new_row(user_id=user_id, offset_days=offset))
            row = created[-1]
        elif row.sent_at is not None and row.for_date == target:
            continue  # already sent for this date
        elif row.sent_at is None and row.send_at == send_at and row.for_date == target:
            continue
        else:
            changed.append(row)
        row.send_at, row.for_date, row.sent_at, row.attempts = send_at, target, None, 0
    Reminder.objects.bulk_create(created)
    Reminder.objects.bulk_update(changed, ["send_at", "for_date", "sent_at", "attempts"])
    unsent_unwanted = [row.pk for row in existing.values() if row.sent_at is None]
    Reminder.objects.filter(pk__in=unsent_unwanted).delete()


def reminders_sync_deadline(deadline: Deadline) -> None:
    live = deadline.status in LIVE_STATUSES
    named = list(deadline.responsible.values_list("pk", flat=True)) if live else []
    _schedule(
        Reminder.objects.filter(deadline=deadline).select_for_update(),
        new_row=lambda **kw: Reminder(deadline=deadline, **kw),
        target=deadline.due_date if live else None,
        memberships=_recipients(
            deadline.proceeding.matter_id, designation=deadline.designation, named_user_ids=named
        )
        if live
        else [],
    )


def reminders_sync_hearing(hearing: Hearing) -> None:
    """Everyone on the matter is reminded of a listed hearing still to come."""
    live = hearing.status == Hearing.Status.LISTED and hearing.starts_at > timezone.now()
    _schedule(
        Reminder.objects.filter(hearing=hearing).select_for_update(),
        new_row=lambda **kw: Reminder(hearing=hearing, **kw),
        target=hearing.local_start.date() if live else None,
        memberships=_recipients(
            hearing.proceeding.matter_id, designation=Clearance.STANDARD, named_user_ids=None
        )
        if live
        else [],
    )


def reminders_sync_matter(matter_id: int) -> None:
    """After someone joins or leaves a matter, or their clearance changes."""
    for deadline in Deadline.objects.filter(
        proceeding__matter_id=matter_id, status__in=LIVE_STATUSES
    ).select_related("proceeding"):
        reminders_sync_deadline(deadline)
    for hearing in Hearing.objects.filter(
        proceeding__matter_id=matter_id,
        status=Hearing.Status.LISTED,
        starts_at__gt=timezone.now(),
    ).select_related("proceeding__court__jurisdiction"):
        reminders_sync_hearing(hearing)


def reminders_sync_user(user) -> None:
    """After a user changes their offsets, digest time or time zone."""
    for matter_id in MatterMembership.objects.filter(user=user).values_list("matter_id", flat=True):
        reminders_sync_matter(matter_id)


# --- Sending ----------------------------------------------------------------------------


def _due(now: datetime):
    """Unsent rows whose time has come, for a deadline still live or a hearing still listed,
    to an active user with an address, still on the matter with the clearance the deadline
    needs. Checked here, at sending time, whatever happened since the row was scheduled."""
    entitled = MatterMembership.objects.filter(
        user=OuterRef("user"),
        matter=OuterRef("matter_id"),
        clearance__gte=OuterRef("designation_needed"),
    )
    return (
        Reminder.objects.filter(sent_at=None, send_at__lte=now, user__is_active=True)
        .exclude(user__email="")
        .filter(Q(deadline__status__in=LIVE_STATUSES) | Q(hearing__status=Hearing.Status.LISTED))
        .annotate(
            matter_id=Coalesce("deadline__proceeding__matter", "hearing__proceeding__matter"),
            designation_needed=Coalesce("deadline__designation", Value(Clearance.STANDARD)),
        )
        .filter(Exists(entitled))
    )


def _claim(now: datetime) -> list[Reminder]:
    """Lock the next message's worth of due rows: one reminder, or a user's whole digest."""
    related = [
        "user__reminder_preference",
        "deadline__proceeding__matter",
        "deadline__proceeding__court__jurisdiction",
        "hearing__proceeding__matter",
        "hearing__proceeding__court__jurisdiction",
    ]
    locked = _due(now).select_for_update(skip_locked=True, of=("self",)).select_related(*related)
    first = locked.order_by("send_at", "pk").first()
    if first is None:
        return []
    preference = getattr(first.user, "reminder_preference", None)
    if preference is None or preference.digest_time is None:
        return [first]
    others = locked.filter(user_id=first.user_id).exclude(pk=first.pk).order_by("send_at", "pk")
    return [first, *others]


def _item(reminder: Reminder) -> dict:
    subject = reminder.deadline or reminder.hearing
    proceeding = subject.proceeding
    court = proceeding.court
    if reminder.deadline is not None:
        when = reminder.deadline.due_date
        at = reminder.deadline.due_time
        kind, title = "Deadline", reminder.deadline.title
        citation = reminder.deadline.citation
    else:
        start = reminder.hearing.local_start
        when, at = start.date(), start.time()
        kind, title = "Hearing", str(reminder.hearing.title or reminder.hearing.get_kind_display())
        citation = ""
    return {
        "kind": kind,
        "title": title,
        "citation": citation,
        "matter": proceeding.matter,
        "proceeding": proceeding,
        "court": court,
        "date": when,
        "time": at,
        "zone": court.zone,
        "days_left": (when - timezone.now().astimezone(court.zone).date()).days,
        "url": settings.SITE_URL + (reminder.deadline or proceeding).get_absolute_url(),
    }


def _compose(batch: list[Reminder]) -> EmailMultiAlternatives:
    user = batch[0].user
    items = sorted((_item(r) for r in batch), key=lambda item: (item["date"], item["title"]))
    context = {
        "user": user,
        "items": items,
        "digest": len(items) > 1,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/reminder_subject.txt", context).split()),
        body=render_to_string("emails/reminder.txt", context),
        to=[user.email],
        headers={"X-Casemgr-Reminders": ",".join(str(r.pk) for r in batch)},
    )
    message.attach_alternative(render_to_string("emails/reminder.html", context), "text/html")
    return message


def _postpone(ids: list[int], error: Exception) -> None:
    """A message that could not go: try again later, a little later each time."""
    logger.warning("Reminders %s not sent: %s", ids, error)
    for reminder in Reminder.objects.filter(pk__in=ids):
        delay = min(RETRY_STEP * (reminder.attempts + 1), RETRY_MAX)
        Reminder.objects.filter(pk=reminder.pk).update(
            sent_at=None,
            attempts=F("attempts") + 1,
            last_error=str(error)[:300],
            send_at=timezone.now() + delay,
        )


SEND_ERRORS = (smtplib.SMTPException, OSError, DeliveryRefused)


def reminders_send_due(*, limit: int | None = None) -> int:
    """Send what is due now; return how many e-mails went. Safe to run in several workers
    at once and to be killed at any point."""
    sent = 0
    with Postman() as postman:
        while limit is None or sent < limit:
            now = timezone.now()
            ids: list[int] = []
            try:
                with transaction.atomic():
                    batch = _claim(now)
                    if not batch:
                        break
                    ids = [reminder.pk for reminder in batch]
                    message = _compose(batch)
                    Reminder.objects.filter(pk__in=ids).update(sent_at=now)
                    delivery = postman.hand_over(message)
                # Committed: the rows are marked sent and the server holds the message.
                delivery.confirm()
            except SEND_ERRORS as error:
                postman.reset()
                if ids:
                    _postpone(ids, error)
                if isinstance(error, OSError | smtplib.SMTPServerDisconnected):
                    break  # the server is unreachable: leave the rest to the next sweep
                continue
            sent += 1
    return sent
