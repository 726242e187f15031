"""The chronology of a matter, and the map from its evidence to what it proves.

- `Event`: something that happened, dated as precisely as it is known (see dates.py), with
  the parties and people involved, whether the other side agrees it, and the allegations it
  bears on. Designated like an exhibit: a confidential event does not exist for a member
  without clearance.
- `EvidenceLink`: an exhibit (or one of its files), at a pinpoint, pointed either at an
  allegation or at an event, with its stance: it supports, contradicts or gives context.

Hearings and deadlines are not copied in: the timeline reads them from their own tables
(selectors.timeline_for).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from casemgr.access.models import Clearance
from casemgr.access.querysets import matter_scoped_manager
from casemgr.core.limits import LONG_TEXT, SHORT_TEXT, text_field
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.models import Matter, Party, Person, validate_time_zone
from casemgr.pleadings.models import Allegation
from casemgr.timeline import dates, pinpoints


class Event(models.Model):
    class Precision(models.TextChoices):
        DAY = dates.DAY, "Exact day"
        MONTH = dates.MONTH, "Month"
        YEAR = dates.YEAR, "Year"
        APPROXIMATE = dates.APPROXIMATE, "On or about"
        RANGE = dates.RANGE, "Range of days"

    class Status(models.TextChoices):
        AGREED = "agreed", "Agreed"
        DISPUTED = "disputed", "Disputed"
        UNKNOWN = "unknown", "Not yet known"

    class Kind(models.TextChoices):
        FACT = "fact", "Fact"
        PROCEDURAL = "procedural", "Procedural step"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events")
    # blank=True: with a time, the date is derived from it (see clean()).
    date = models.DateField(
        blank=True,
        help_text="The day; for a month or a year any day in it (kept as the first day); for a "
        "range its first day. With a time, the day of that time in its time zone.",
    )
    precision = models.CharField(max_length=12, choices=Precision.choices, default=Precision.DAY)
    date_end = models.DateField(null=True, blank=True, help_text="Last day of a range.")
    # Like a hearing's start: stored in UTC, shown in the zone where it happened.
    occurred_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="time",
        help_text="The moment, where it is known (exact days only).",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="The zone the time is shown in, e.g. Asia/Shanghai. Needed with a time.",
    )
    # Derived on save: the last day the entry covers (for date filters) and its place in
    # the chronology (dates.sort_key).
    date_last = models.DateField(editable=False)
    sort_key = models.CharField(max_length=32, editable=False)
    title = models.CharField(max_length=300)
    description = text_field(LONG_TEXT, blank=True)
    parties = models.ManyToManyField(Party, blank=True, related_name="events")
    people = models.ManyToManyField(Person, blank=True, related_name="events")
    allegations = models.ManyToManyField(
        Allegation,
        blank=True,
        related_name="events",
        help_text="The allegations this event bears on.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FACT)
    designation = models.PositiveSmallIntegerField(
        choices=Clearance.choices,
        default=Clearance.STANDARD,
        help_text="Members below this clearance do not see the event.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = matter_scoped_manager("matter", designation_path="designation")

    class Meta:
        ordering = ["sort_key", "pk"]
        indexes = [models.Index(fields=["matter", "sort_key"], name="event_chronology_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(precision__in=["day", "month", "year", "approximate", "range"]),
                name="event_precision_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["agreed", "disputed", "unknown"]),
                name="event_status_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["fact", "procedural"]), name="event_kind_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(designation__in=Clearance.values),
                name="event_designation_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(precision="range", date_end__isnull=False)
                | (~models.Q(precision="range") & models.Q(date_end__isnull=True)),
                name="event_end_only_for_a_range",
                violation_error_message="Give a last day for a range, and only for a range.",
            ),
            models.CheckConstraint(
                condition=models.Q(occurred_at__isnull=True)
                | (models.Q(precision="day") & ~models.Q(time_zone="")),
                name="event_time_only_on_an_exact_day",
                violation_error_message="A time goes with an exact day and its time zone.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_display}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        self._derive()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.occurred_at is not None and not (
            dates.EARLIEST.year < self.occurred_at.year < dates.LATEST.year
        ):
            # Kept clear of datetime's limits, so that conversion to any zone cannot overflow.
            errors["occurred_at"] = (
                f"Give a time between {dates.EARLIEST.year} and {dates.LATEST.year}."
            )
        elif self.occurred_at is not None:
            if self.precision != self.Precision.DAY:
                errors["precision"] = "Only an exact day can have a time."
            if not self.time_zone:
                errors["time_zone"] = "Give the time zone the time was observed in."
            else:
                try:
                    self.date = self.local_time.date()
                except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                    pass  # an unknown zone: clean_fields() has said so
        else:
            # A zone says where a time is shown; without a time there is nothing to show.
            self.time_zone = ""
        if self.date is None:
            errors["date"] = "Give the date, or a time."
        elif not dates.EARLIEST <= self.date <= dates.LATEST:
            errors["date"] = f"Give a date between {dates.EARLIEST.year} and {dates.LATEST.year}."
        if self.precision == self.Precision.RANGE:
            if self.date_end is None:
                errors["date_end"] = "Give the last day of the range."
            elif self.date is not None and self.date_end <= self.date:
                errors["date_end"] = "The last day of a range comes after its first day."
            elif self.date_end > dates.LATEST:
                errors["date_end"] = f"Give a date up to {dates.LATEST.year}."
        else:
            self.date_end = None
        if errors:
            raise ValidationError(errors)
        self._derive()

    def _derive(self) -> None:
        self.date = dates.period_start(self.date, self.precision)
        self.date_last = dates.period_last(self.date, self.precision, self.date_end)
        self.sort_key = dates.sort_key(
            start=self.date, precision=self.precision, at=self.occurred_at, end=self.date_end
        )

    @property
    def local_time(self) -> datetime | None:
        """The moment in the zone it happened in, or None for an entry without a time."""
        if self.occurred_at is None:
            return None
        return self.occurred_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    @property
    def date_display(self) -> str:
        if self.date is None:
            return ""
        return dates.describe(self.date, self.precision, self.date_end)


class EvidenceLink(models.Model):
    """An exhibit, at a pinpoint, pointed at an allegation or at an event."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CONTRADICTS = "contradicts", "Contradicts"
        CONTEXT = "context", "Context"

    # The exhibit's matter, repeated so that scoping by matter needs no join (as ExhibitFile).
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="+")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="evidence_links")
    exhibit_file = models.ForeignKey(
        ExhibitFile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_links",
        verbose_name="file",
        help_text="The file of the exhibit the pinpoint is in, where it has several.",
    )
    pages = models.CharField(
        max_length=100,
        blank=True,
        help_text="Pages of the file, e.g. 12-14, 19 (of its PDF preview).",
    )
    paragraphs = models.CharField(
        max_length=100, blank=True, help_text="Paragraphs of the document, e.g. 4, 7(a)-9."
    )
    allegation = models.ForeignKey(
        Allegation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence_links",
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence_links"
    )
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.SUPPORTS)
    note = text_field(SHORT_TEXT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    # Visible only to members cleared for the exhibit, and for the event where there is one.
    objects = matter_scoped_manager(
        "matter",
        designation_path="exhibit__designation",
        optional_designation_paths=("event__designation",),
    )

    class Meta:
        ordering = ["exhibit__prefix", "exhibit__number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allegation__isnull=True) ^ models.Q(event__isnull=True),
                name="evidence_link_to_allegation_or_event",
                violation_error_message="Link the exhibit to an allegation or to an event "
                "(one of them, not both).",
            ),
            models.CheckConstraint(
                condition=models.Q(stance__in=["supports", "contradicts", "context"]),
                name="evidence_link_stance_is_known",
            ),
        ]
        indexes = [models.Index(fields=["allegation", "stance"], name="evidence_allegation_idx")]

    def __str__(self) -> str:
        cited = f" {self.pinpoint}" if self.pinpoint else ""
        target = self.allegation if self.allegation_id else self.event
        return f"{self.exhibit.reference}{cited} {self.get_stance_display().lower()} {target}"

    def clean(self) -> None:
        errors = {}
        if self.exhibit_id is not None and self.exhibit.matter_id != self.matter_id:
            errors["exhibit"] = "The exhibit must be in this matter."
        if self.exhibit_file_id is not None and self.exhibit_file.exhibit_id != self.exhibit_id:
            errors["exhibit_file"] = "Choose a file of this exhibit."
        if self.allegation_id is not None and self.allegation.matter.pk != self.matter_id:
            errors["allegation"] = "The allegation must be in this matter."
        if self.event_id is not None and self.event.matter_id != self.matter_id:
            errors["event"] = "The event must be in this matter."
        try:
            self.pages = pinpoints.normalise_pages(self.pages)
        except pinpoints.PinpointError as error:
            errors["pages"] = str(error)
        else:
            page_count = self.exhibit_file.page_count if self.exhibit_file_id else None
            last = pinpoints.last_page(self.pages)
            if page_count is not None and last is not None and last > page_count:
                pages = "page" if page_count == 1 else "pages"
                errors["pages"] = f"The file has {page_count} {pages}; page {last} is not in it."
        try:
            self.paragraphs = pinpoints.normalise_paragraphs(self.paragraphs)
        except pinpoints.PinpointError as error:
            errors["paragraphs"] = str(error)
        if errors:
            raise ValidationError(errors)

    @property
    def pinpoint(self) -> str:
        return pinpoints.describe(self.pages, self.paragraphs)

    @property
    def preview_url(self) -> str:
        """The file's PDF preview, opened at the first page cited; "" without a file."""
        if self.exhibit_file_id is None:
            return ""
        url = reverse(
            "evidence:file_preview",
            kwargs={"matter_pk": self.matter_id, "pk": self.exhibit_file_id},
        )
        first = pinpoints.first_page(self.pages)
        return f"{url}#page={first}" if first else url
