"""Deadlines: what the rules make of a trigger event, who must act, and when to remind them.

The dates come from the pure engine (`engine.py`, rules in fixtures/rules/); this module
only stores what it produced, what people changed by hand, and the reminder schedule.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from casemgr.access.models import Clearance
from casemgr.access.querysets import matter_scoped_manager
from casemgr.core.limits import LONG_TEXT, SHORT_TEXT, text_field
from casemgr.matters.models import Court, Proceeding, validate_time_zone

DEFAULT_OFFSETS = [14, 7, 3, 1, 0]


def default_offsets() -> list[int]:
    return list(DEFAULT_OFFSETS)


class CourtClosure(models.Model):
    """A day a court office is closed although it is not a public holiday (HMCTS closed on
    24 December 2025, for instance). Deadlines at that court skip it like a holiday."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["court", "day"]
        constraints = [
            models.UniqueConstraint(fields=["court", "day"], name="one_closure_per_court_day")
        ]

    def __str__(self) -> str:
        return f"{self.court} closed {self.day:%d %b %Y}"


class TriggerEvent(models.Model):
    """Something that happened in a proceeding and starts time running (a document served,
    an order made, judgment entered...)."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="triggers")
    event = models.CharField(max_length=40, help_text="An event of the court's rule set.")
    occurred_at = models.DateTimeField(
        verbose_name="when", help_text="When the step was taken, in the court's time zone."
    )
    method = models.CharField(max_length=40, blank=True, verbose_name="service method")
    options = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = matter_scoped_manager("proceeding__matter")

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_label} – {self.local_time:%d %b %Y %H:%M}"

    @property
    def matter(self):
        return self.proceeding.matter

    @property
    def local_time(self):
        return self.occurred_at.astimezone(self.proceeding.court.zone)

    @property
    def event_label(self) -> str:
        return self._label("events", self.event)

    @property
    def method_label(self) -> str:
        return self._label("methods", self.method) if self.method else ""

    def _label(self, kind: str, code: str) -> str:
        from casemgr.deadlines.selectors import rule_set_for

        rule_set = rule_set_for(self.proceeding)
        return dict(getattr(rule_set, kind)).get(code, code) if rule_set else code


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    EXTENDED = "extended", "Extended"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# Deadlines still to be met: these are reminded of and counted as upcoming.
LIVE_STATUSES = (DeadlineStatus.OPEN, DeadlineStatus.EXTENDED)


class Deadline(models.Model):
    Status = DeadlineStatus

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="deadlines")
    title = models.CharField(max_length=200)
    # A date in the court's time zone: "by 14 December" means the court's 14 December.
    due_date = models.DateField()
    due_time = models.TimeField(
        null=True, blank=True, help_text="Only where a rule or order fixes a time (e.g. 4pm)."
    )
    citation = models.CharField(max_length=100, blank=True, help_text="e.g. CPR 15.4(1)(a)")
    derivation = models.CharField(max_length=400, blank=True)
    trigger = models.ForeignKey(
        TriggerEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines"
    )
    rule_key = models.CharField(max_length=80, blank=True, editable=False)
    # What the rules gave; differs from due_date once someone moved the date by hand or by
    # an extension, and a recomputation then leaves due_date alone.
    computed_date = models.DateField(null=True, blank=True, editable=False)
    computed_time = models.TimeField(null=True, blank=True, editable=False)
    edited_by_hand = models.BooleanField(default=False, editable=False)
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="responsible_for",
        help_text="Members who must see it done. If nobody is named, every fee earner and "
        "paralegal on the matter is reminded.",
    )
    status = models.CharField(
        max_length=20, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    designation = models.PositiveSmallIntegerField(
        choices=Clearance.choices,
        default=Clearance.STANDARD,
        help_text="Members below this clearance neither see the deadline nor are reminded.",
    )
    notes = text_field(LONG_TEXT, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = matter_scoped_manager("proceeding__matter", designation_path="designation")

    class Meta:
        ordering = ["due_date", "due_time", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "rule_key"],
                condition=~models.Q(rule_key=""),
                name="one_deadline_per_rule_and_trigger",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeadlineStatus.values),
                name="deadline_status_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(designation__in=Clearance.values),
                name="deadline_designation_is_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="deadline_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.title} – {self.due_date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse(
            "deadlines:deadline", kwargs={"matter_pk": self.proceeding.matter_id, "pk": self.pk}
        )

    def clean(self) -> None:
        if self.due_date is not None and not date(1990, 1, 1) <= self.due_date <= date(2200, 1, 1):
            raise ValidationError({"due_date": "Give a date between 1990 and 2200."})

    @property
    def matter(self):
        return self.proceeding.matter

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class Extension(models.Model):
    """A deadline moved by agreement or order: who agreed it and why (CPR 15.5 and the like)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    previous_date = models.DateField()
    new_date = models.DateField()
    agreed_with = models.CharField(
        max_length=200, help_text="Who agreed or ordered it, e.g. Harbour & Pike LLP by letter."
    )
    reason = text_field(SHORT_TEXT)
    by_order = models.BooleanField(
        default=False, help_text="Extended by order of the court rather than by agreement."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = matter_scoped_manager(
        "deadline__proceeding__matter", designation_path="deadline__designation"
    )

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.deadline.title}: {self.previous_date} → {self.new_date}"

    @property
    def matter(self):
        return self.deadline.matter


class ReminderPreference(models.Model):
    """How a user wants to be reminded, and their calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    offsets = models.JSONField(
        default=default_offsets,
        help_text="Days before each deadline or hearing, e.g. [14, 7, 3, 1, 0].",
    )
    digest_time = models.TimeField(
        null=True,
        blank=True,
        help_text="Leave blank for one e-mail per reminder at 08:00; give a time for one "
        "daily digest then.",
    )
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    # Only the hash is kept: the feed URL is shown once, when made, like a password.
    feed_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    feed_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Reminder settings of {self.user}"

    def clean(self) -> None:
        offsets = self.offsets
        if not isinstance(offsets, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 365 for n in offsets
        ):
            raise ValidationError({"offsets": "Give whole numbers of days from 0 to 365."})
        self.offsets = sorted(set(offsets), reverse=True)

    @property
    def send_time(self) -> time:
        return self.digest_time or time(8, 0)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new_feed_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.feed_token_hash = self.hash_token(token)
        return token


class Reminder(models.Model):
    """One e-mail to be sent: a deadline or a hearing, a person, so many days before.

    `send_at` is when; `sent_at` is set in the same transaction that hands the message to
    the mail server, so that a crash loses no reminder and repeats none (reminders.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    hearing = models.ForeignKey(
        "matters.Hearing",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    offset_days = models.PositiveSmallIntegerField()
    # The deadline's (or hearing's) date this row was scheduled for: when that date moves,
    # a reminder already sent is due again before the new date.
    for_date = models.DateField()
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The date it was last sent for: a date moved and moved back is not reminded of twice.
    sent_for_date = models.DateField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["send_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "user", "offset_days"],
                condition=models.Q(deadline__isnull=False),
                name="one_reminder_per_deadline_person_offset",
            ),
            models.UniqueConstraint(
                fields=["hearing", "user", "offset_days"],
                condition=models.Q(hearing__isnull=False),
                name="one_reminder_per_hearing_person_offset",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__isnull=True) ^ models.Q(hearing__isnull=True),
                name="reminder_is_for_a_deadline_or_a_hearing",
            ),
        ]
        indexes = [
            # The sweep's question, "the next unsent rows that are due?", in the sweep's own
            # order: a batch reads only its own rows, however many share 08:00
            # (benchmarks/README.md).
            models.Index(
                fields=["send_at", "id"],
                condition=models.Q(sent_at__isnull=True),
                name="reminder_due_idx",
            )
        ]

    def __str__(self) -> str:
        subject = self.deadline or self.hearing
        return f"{subject} – {self.offset_days} days before, to {self.user}"
