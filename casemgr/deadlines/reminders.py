"""Reminder e-mails: who is reminded of what and when (scheduling), and sending what is due.

Scheduling keeps one Reminder row per deadline (or hearing) × person × offset in step with
the deadline: rows are made, moved or removed whenever a deadline, a hearing, a member or
someone's settings change. Sending is a sweep run by Celery beat every few minutes: it
reads due rows a batch at a time, with all their e-mails show, in a fixed number of
queries; then each message claims its rows by id (`select_for_update(skip_locked=True)`,
so sweeps running side by side share the work) and marks them sent in one statement, in the
transaction that hands the message to the mail server (core/mail.py): a worker that dies
mid-sweep loses nothing and repeats nothing, except in the instant between the server
taking a message and the commit (see there).

What makes a row due (a live deadline, a member cleared for it) is checked when the batch
is read, a moment before its messages go; a change made through the services in between
reschedules or removes the rows, which the claim sees (it wants each row unsent, due and
for the date read, else the message waits for the next read).
"""

from __future__ import annotations

import logging
import smtplib
import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from casemgr.access.models import Clearance, MatterMembership
from casemgr.access.policy import EDITING_ROLES
from casemgr.core.mail import DeliveryRefused, Postman
from casemgr.core.zones import court_date, wall_time
from casemgr.deadlines.models import (
    DEFAULT_OFFSETS,
    LIVE_STATUSES,
    Deadline,
    Reminder,
    ReminderPreference,
)
from casemgr.matters.models import Hearing

logger = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN = "reminders.casemgr"
RETRY_STEP = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=1)


# --- Scheduling -------------------------------------------------------------------------


# A reminder goes at the reader's own hour (08:00, or their digest time, in their zone) on
# the day so many days before the court's date – but never after 08:00 at the court on the
# day itself; where the reader's hour would be later, it goes at that hour the day before.
# So a team in Los Angeles hears of a London hearing before it starts, and a London team of
# a 09:30 Beijing hearing at 08:00 London the day before – not at midnight London, which is
# 08:00 in Beijing.
COURT_MORNING = time(8, 0)


@dataclass(frozen=True)
class _Plan:
    offsets: list[int]
    zone: ZoneInfo
    send_time: time


def _plans(memberships) -> dict[int, _Plan]:
    plans = {}
    for membership in memberships:
        preference = getattr(membership.user, "reminder_preference", None)
        zone = _reader_zone(membership.user)
        if preference is None:
            plans[membership.user_id] = _Plan(DEFAULT_OFFSETS, zone, time(8))
        else:
            plans[membership.user_id] = _Plan(preference.offsets, zone, preference.send_time)
    return plans


def _recipients(matter_id: int, *, designation: int, named_user_ids: list[int] | None):
    """Members who may see the subject: the named ones, or – where nobody is named, or
    nobody named can still act (left the firm, off the matter, not cleared) – the team."""
    members = (
        MatterMembership.objects.filter(
            matter_id=matter_id, clearance__gte=designation, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user__reminder_preference")
    )
    if named_user_ids is None:
        return list(members)
    named = [m for m in members if m.user_id in set(named_user_ids)]
    return named or [m for m in members if m.role in EDITING_ROLES]


def _send_at(day: date, *, plan: _Plan, latest: datetime) -> datetime:
    """The reader's hour on `day` in their zone, or else the last such hour before `latest`."""
    at = datetime.combine(day, plan.send_time, tzinfo=plan.zone)
    if at <= latest:
        return at
    last_day = latest.astimezone(plan.zone).date()
    at = datetime.combine(last_day, plan.send_time, tzinfo=plan.zone)
    if at <= latest:
        return at
    return datetime.combine(last_day - timedelta(days=1), plan.send_time, tzinfo=plan.zone)


def _schedule(rows, *, new_row, target: date | None, court_zone: ZoneInfo, memberships) -> None:
    """Bring `rows` (one subject's reminders) in line with `target`, the court's date being
    reminded of (None: nothing to remind of any more)."""
    now = timezone.now()
    existing = {(row.user_id, row.offset_days): row for row in rows}
    wanted: dict[tuple[int, int], datetime] = {}
    if target is not None:
        court_today = now.astimezone(court_zone).date()
        latest = datetime.combine(target, COURT_MORNING, tzinfo=court_zone)
        for user_id, plan in _plans(memberships).items():
            # Whichever is earlier: a Sydney reader's "tomorrow" may be the court's today.
            today = min(now.astimezone(plan.zone).date(), court_today)
            for offset in plan.offsets:
                day = target - timedelta(days=offset)
                at = _send_at(day, plan=plan, latest=latest)
                row = existing.get((user_id, offset))
                overdue = row is not None and row.sent_at is None and row.for_date == target
                # A "14 days before" already past is not sent late – unless it was due
                # and is still waiting (the mail server was down): that one still goes, at
                # the time its last failed attempt set.
                if day >= today or overdue:
                    keep = overdue and (day < today or row.attempts > 0)
                    wanted[(user_id, offset)] = row.send_at if keep else at
    changed, created = [], []
    for (user_id, offset), send_at in wanted.items():
        row = existing.pop((user_id, offset), None)
        if row is None:
            row = new_row(user_id=user_id, offset_days=offset, send_at=send_at, for_date=target)
            created.append(row)
            continue
        if row.for_date == target and (row.sent_at is not None or row.send_at == send_at):
            continue  # unchanged, or already sent for this date
        # Moved back to a date it was already sent for: not again. (Same date, new time:
        # still to send.)
        moved = row.for_date != target
        moved_back = moved and row.sent_for_date == target
        row.send_at, row.for_date = send_at, target
        row.attempts = 0 if moved else row.attempts
        row.sent_at = now if moved_back else None
        changed.append(row)
    # No longer wanted: a row never sent goes; one sent before is kept as the record that it
    # went (for the date it went for), so that date coming back does not send it twice.
    retired = []
    for row in existing.values():
        if row.sent_for_date is not None and (
            row.sent_at is None or row.for_date != row.sent_for_date
        ):
            row.for_date, row.sent_at = row.sent_for_date, row.sent_at or now
            retired.append(row)
    Reminder.objects.bulk_create(created)
    Reminder.objects.bulk_update(changed + retired, ["send_at", "for_date", "sent_at", "attempts"])
    Reminder.objects.filter(
        pk__in=[row.pk for row in existing.values() if row.sent_for_date is None]
    ).delete()


def reminders_sync_deadline(deadline: Deadline) -> None:
    # Lock the deadline, so that two changes at once cannot both create the same rows.
    Deadline.objects.select_for_update().filter(pk=deadline.pk).first()
    live = deadline.status in LIVE_STATUSES
    named = list(deadline.responsible.values_list("pk", flat=True)) if live else []
    _schedule(
        Reminder.objects.filter(deadline=deadline).select_for_update(),
        new_row=lambda **kw: Reminder(deadline=deadline, **kw),
        target=deadline.due_date if live else None,
        court_zone=deadline.proceeding.court.zone,
        memberships=_recipients(
            deadline.proceeding.matter_id, designation=deadline.designation, named_user_ids=named
        )
        if live
        else [],
    )


def reminders_sync_hearing(hearing: Hearing) -> None:
    """Everyone on the matter is reminded of a listed hearing still to come."""
    Hearing.objects.select_for_update().filter(pk=hearing.pk).first()
    live = hearing.status == Hearing.Status.LISTED and hearing.starts_at > timezone.now()
    _schedule(
        Reminder.objects.filter(hearing=hearing).select_for_update(),
        new_row=lambda **kw: Reminder(hearing=hearing, **kw),
        target=hearing.local_start.date() if live else None,
        court_zone=hearing.proceeding.court.zone,
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
        .filter(
            Q(deadline__status__in=LIVE_STATUSES)
            | Q(hearing__status=Hearing.Status.LISTED, hearing__starts_at__gt=now)
        )
        .annotate(
            matter_id=Coalesce("deadline__proceeding__matter", "hearing__proceeding__matter"),
            designation_needed=Coalesce("deadline__designation", Value(Clearance.STANDARD)),
        )
        .filter(Exists(entitled))
    )


# Due rows read at a time: a batch is these and, with them, every other row due to the same
# people (so a digest is never split). A few hundred keep the scan's own cost (planning its
# join, about 3 ms) small beside the e-mails it finds.
SCAN_ROWS = 200

_RELATED = [
    "user__reminder_preference",
    "deadline__proceeding__matter",
    "deadline__proceeding__court__jurisdiction",
    "hearing__proceeding__matter",
    "hearing__proceeding__court__jurisdiction",
]


def _scan(now: datetime) -> list[list[Reminder]]:
    """The next messages' worth of due rows, with everything their e-mails show, in two
    queries however many there are: each message a user's whole digest, or else one
    deadline's (or hearing's) due reminders to one person – several are due at once only
    after the sweep could not run for a while, and then one e-mail with the date says it all.

    Nothing is locked here: each message's rows are claimed, and checked again, in the
    transaction that sends it (`_mark_sent`)."""
    due = _due(now)
    readers = set(due.order_by("send_at", "pk").values_list("user_id", flat=True)[:SCAN_ROWS])
    if not readers:
        return []
    rows = due.filter(user_id__in=readers).select_related(*_RELATED).order_by("send_at", "pk")
    messages: dict[tuple, list[Reminder]] = {}
    for row in rows:
        preference = getattr(row.user, "reminder_preference", None)
        if preference is not None and preference.digest_time is not None:
            key = (row.user_id,)
        else:
            key = (row.user_id, row.deadline_id, row.hearing_id)
        messages.setdefault(key, []).append(row)
    return list(messages.values())


_MARK_SENT = """
    UPDATE {table} SET sent_at = %s, sent_for_date = for_date
    WHERE id IN (
        SELECT id FROM {table}
        WHERE id = ANY(%s) AND sent_at IS NULL AND send_at <= %s
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id, for_date
"""


def _mark_sent(batch: list[Reminder], *, due_by: datetime, now: datetime) -> bool:
    """Inside the transaction that hands the message over: lock the message's rows, if they
    are still unsent and still due, and mark them sent, in one statement on the reminder
    table alone (written out: the ORM would spend longer compiling it than PostgreSQL
    running it, once an e-mail). False if any of them is taken (another sweep holds or has
    sent it) or no longer for the date the message gives (rescheduled since it was read):
    then the caller sends nothing and rolls the transaction back."""
    sql = _MARK_SENT.format(table=connection.ops.quote_name(Reminder._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, [row.pk for row in batch], due_by])
        marked = dict(cursor.fetchall())
    return marked == {row.pk: row.for_date for row in batch}


class _Taken(Exception):
    """A message's rows were claimed elsewhere or changed since they were read."""


def _reader_zone(user) -> ZoneInfo:
    """The zone a reader's reminders are timed and written in: theirs, or, for one who has
    set none, the setting's own default (one place, so the send time and the e-mail's
    "your time" cannot disagree)."""
    preference = getattr(user, "reminder_preference", None)
    if preference is None:
        return ZoneInfo(ReminderPreference._meta.get_field("time_zone").default)
    return ZoneInfo(preference.time_zone)


def _item(reminder: Reminder) -> dict:
    subject = reminder.deadline or reminder.hearing
    proceeding = subject.proceeding
    court = proceeding.court
    zone = court.zone
    if reminder.deadline is not None:
        deadline = reminder.deadline
        when = deadline.due_date
        kind, label, title = "Deadline", "Due", deadline.title
        citation = deadline.citation
        moment = datetime.combine(when, deadline.due_time, zone) if deadline.due_time else None
    else:
        moment = reminder.hearing.local_start
        when = moment.date()
        kind, label, title = "Hearing", "When", reminder.hearing.display_title
        citation = ""
    reader_zone = _reader_zone(reminder.user)
    # The court's clock, and the reader's where it differs (core.zones, as on the pages).
    if moment is None:
        court_clock, reader_clock = court_date(when, zone, "l j F Y"), ""
    else:
        court_clock = wall_time(moment, zone, "l j F Y, H:i")
        reader_clock = wall_time(moment, reader_zone, "D j M, H:i")
        reader_clock = reader_clock if reader_zone.key != zone.key else ""
    return {
        "kind": kind,
        "label": label,
        "title": title,
        "citation": citation,
        "matter": proceeding.matter,
        "proceeding": proceeding,
        "court": court,
        "date": when,
        "when": court_clock,
        "reader_time": reader_clock,
        "days_left": (when - timezone.now().astimezone(zone).date()).days,
        "url": settings.SITE_URL + (reminder.deadline or proceeding).get_absolute_url(),
    }


def _compose(batch: list[Reminder]) -> EmailMultiAlternatives:
    user = batch[0].user
    subjects = {(r.deadline_id, r.hearing_id): r for r in batch}.values()
    items = sorted((_item(r) for r in subjects), key=lambda item: (item["date"], item["title"]))
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
        headers={
            "X-Casemgr-Reminders": ",".join(str(r.pk) for r in batch),
            # The same message always has the same id: in the one case a crash can repeat a
            # message (core/mail.py), mail systems that collapse repeated ids show it once.
            "Message-ID": "<reminder.{}.{:%Y%m%d}@{}>".format(
                ".".join(str(r.pk) for r in batch), batch[0].for_date, MESSAGE_ID_DOMAIN
            ),
        },
    )
    message.attach_alternative(render_to_string("emails/reminder.html", context), "text/html")
    return message


def _postpone(ids: list[int], error: Exception, *, marked_at: datetime | None) -> None:
    """A message that could not go: try again later, a little later each time.

    Only rows still in the state this sweep left them in are touched (unsent, or marked
    sent by this very sweep): once this sweep's claim is released, another sweep may have
    claimed and sent them, and that must stand."""
    logger.warning("Reminders %s not sent: %s", ids, error)
    for reminder in Reminder.objects.filter(pk__in=ids):
        delay = min(RETRY_STEP * (reminder.attempts + 1), RETRY_MAX)
        undo = {"sent_for_date": None} if marked_at is not None else {}
        Reminder.objects.filter(pk=reminder.pk, sent_at=marked_at).update(
            **undo,
            sent_at=None,
            attempts=F("attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:300],
            send_at=timezone.now() + delay,
        )


# The mail server is unreachable: stop and leave the rest to the next sweep.
UNREACHABLE = (OSError, smtplib.SMTPServerDisconnected)


def reminders_send_due(*, limit: int | None = None) -> int:
    """Send what is due now; return how many e-mails went. Safe to run in several workers
    at once and to be killed at any point.

    Due rows are read a batch at a time (`_scan`, a fixed number of queries per batch), and
    each message then costs one statement (`_mark_sent`) in its own transaction: BEGIN,
    UPDATE, COMMIT. A sweep stops of its own accord a minute before Celery's soft time limit,
    between two messages, rather than be interrupted in the middle of one; the next sweep
    goes on."""
    sent = 0
    stop_at = time_module.monotonic() + max(settings.CELERY_TASK_SOFT_TIME_LIMIT - 60, 30)

    def more() -> bool:
        return (limit is None or sent < limit) and time_module.monotonic() < stop_at

    with Postman() as postman:
        while more():
            due_by = timezone.now()
            # Durable, though it only reads: inside a caller's transaction the sweep refuses
            # to start at all (see below), rather than fail message by message.
            with transaction.atomic(durable=True):
                messages = _scan(due_by)
            progress = False
            for batch in messages:
                if not more():
                    break
                ids = [reminder.pk for reminder in batch]
                marked_at = None
                try:
                    message = _compose(batch)
                    now = timezone.now()
                    # Durable: "committed" below must mean committed, not folded into a
                    # caller's transaction that could still roll back after the message went.
                    with transaction.atomic(durable=True):
                        if not _mark_sent(batch, due_by=due_by, now=now):
                            raise _Taken
                        delivery = postman.hand_over(message)
                    # Committed: the rows are marked sent and the server holds the message.
                    marked_at = now
                    delivery.confirm()
                except _Taken:
                    continue  # another sweep's, or changed: the next scan sees it afresh
                except (SoftTimeLimitExceeded, DatabaseError):
                    raise  # the task is being stopped, or the database is in trouble
                except Exception as error:
                    # One bad row (an address the server refuses, a template that fails)
                    # must not hold up everyone else's reminders: it waits, the sweep goes on.
                    if not isinstance(error, DeliveryRefused | smtplib.SMTPException | OSError):
                        logger.exception("Reminders %s could not be composed or sent", ids)
                    postman.reset()
                    _postpone(ids, error, marked_at=marked_at)
                    if isinstance(error, UNREACHABLE):
                        return sent
                    progress = True  # postponed: no longer due
                    continue
                sent += 1
                progress = True
            if not progress:
                # Nothing due, or all of it held by other sweeps or by a change in progress:
                # left to them, or to the next sweep.
                break
    return sent
