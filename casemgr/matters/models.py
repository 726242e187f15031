from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django_countries.fields import CountryField

from casemgr.access.querysets import matter_scoped_manager
from casemgr.core.limits import LONG_TEXT, text_field
from casemgr.core.zones import wall_time

# The code of the jurisdiction of England and Wales in fixtures/reference/jurisdictions.json.
ENGLAND_AND_WALES = "ew"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (e.g. Europe/London).")


class Jurisdiction(models.Model):
    """A legal system with its own procedural rules, holidays and time zone."""

    code = models.SlugField(max_length=20, unique=True, help_text="e.g. ew, us-fed, cn")
    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    holiday_calendar = models.CharField(
        max_length=20, help_text="Calendar in the holidays package, e.g. GB-ENG, US, CN."
    )
    rule_set = models.SlugField(max_length=20, help_text="Procedural rule set, e.g. cpr, frcp.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Court(models.Model):
    name = models.CharField(max_length=200)
    division = models.CharField(
        max_length=200, blank=True, help_text="Division or list, e.g. Intellectual Property List."
    )
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="courts")
    # A jurisdiction may span zones (US federal courts); a court sits in exactly one.
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Leave blank to use the jurisdiction's time zone.",
    )

    class Meta:
        ordering = ["jurisdiction__name", "name", "division"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name", "division"], name="court_unique_per_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.division})" if self.division else self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or self.jurisdiction.time_zone)


class Matter(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        STAYED = "stayed", "Stayed"
        SETTLED = "settled", "Settled"
        CLOSED = "closed", "Closed"

    class OcrLanguages(models.TextChoices):
        # Tesseract's language codes, joined as OCRmyPDF takes them (casemgr.evidence.ocr).
        ENGLISH = "eng", "English"
        CHINESE = "chi_sim", "Simplified Chinese"
        BOTH = "eng+chi_sim", "English and Simplified Chinese"

    reference = models.CharField(
        max_length=40, unique=True, help_text="The firm's matter number, e.g. NWA-0042."
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    description = text_field(LONG_TEXT, blank=True)
    opened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    ocr_languages = models.CharField(
        "Languages of scanned documents",
        max_length=20,
        choices=OcrLanguages.choices,
        default=OcrLanguages.ENGLISH,
        help_text="What the text of scanned pages and images is read in (OCR). Files already "
        "stored are read again in the new languages by `manage.py ocr_backfill`.",
    )

    objects = matter_scoped_manager("")

    class Meta:
        ordering = ["-opened_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "stayed", "settled", "closed"]),
                name="matter_status_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(ocr_languages__in=["eng", "chi_sim", "eng+chi_sim"]),
                name="matter_ocr_languages_are_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("matters:overview", kwargs={"matter_pk": self.pk})

    @property
    def matter(self) -> Matter:
        return self


class PartyRole(models.TextChoices):
    CLAIMANT = "claimant", "Claimant"
    DEFENDANT = "defendant", "Defendant"
    THIRD_PARTY = "third_party", "Third party"
    INTERVENER = "intervener", "Intervener"
    NON_PARTY = "non_party", "Non-party"


class Party(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        INDIVIDUAL = "individual", "Individual"
        STATE_BODY = "state_body", "State body"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    country = CountryField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        verbose_name="corporate parent",
    )
    solicitors = models.CharField(
        max_length=200, blank=True, help_text="Firm on the record for this party."
    )
    counsel = models.CharField(max_length=200, blank=True)

    objects = matter_scoped_manager("matter")

    class Meta:
        ordering = ["role", "name"]
        verbose_name_plural = "parties"
        constraints = [
            # "NORTHWIND LTD" and "Northwind Ltd" are the same party.
            models.UniqueConstraint(
                Lower("name"),
                models.F("matter"),
                name="party_name_unique_in_matter",
                violation_error_message="A party with this name already exists in this matter.",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="party_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.matter_id != self.matter_id:
            raise ValidationError(
                {"parent": "The corporate parent must be a party in this matter."}
            )
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "A company cannot be its own (indirect) parent."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Person(models.Model):
    """Someone in the dramatis personae."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Chief Technology Officer")
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        help_text="The party this person belongs to or acts for, if any.",
    )
    notes = text_field(LONG_TEXT, blank=True)

    objects = matter_scoped_manager("matter")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.party_id is not None and self.party.matter_id != self.matter_id:
            raise ValidationError({"party": "The party must be in this matter."})


class Proceeding(models.Model):
    class Status(models.TextChoices):
        PRE_ACTION = "pre_action", "Pre-action"
        ACTIVE = "active", "Active"
        STAYED = "stayed", "Stayed"
        CONCLUDED = "concluded", "Concluded"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="proceedings")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="proceedings")
    case_number = models.CharField(
        max_length=60, blank=True, help_text="e.g. IL-2026-000123; blank until issued."
    )
    title = models.CharField(max_length=300, help_text="Short title, e.g. Northwind v Jadeport.")
    our_side = models.CharField(max_length=20, choices=PartyRole.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    issued_on = models.DateField(null=True, blank=True)

    objects = matter_scoped_manager("matter")

    class Meta:
        ordering = ["issued_on", "pk"]
        constraints = [
            # Unique within the matter, not across the firm: a check across matters would
            # tell a user that some matter they cannot see (behind an ethical wall, say)
            # concerns that case.
            models.UniqueConstraint(
                fields=["matter", "court", "case_number"],
                condition=~models.Q(case_number=""),
                name="case_number_unique_in_matter",
                violation_error_message=(
                    "This matter already has a proceeding in this court with that case number."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}" if self.case_number else self.title

    def get_absolute_url(self) -> str:
        return reverse("matters:proceeding", kwargs={"matter_pk": self.matter_id, "pk": self.pk})

    @property
    def number_label(self) -> str:
        """What the court calls its number: an English claim has a "Claim No." (CPR 7), a US
        or PRC case a "Case No.". Reads the court's jurisdiction, so select it with the row."""
        return "Claim No." if self.court.jurisdiction.code == ENGLAND_AND_WALES else "Case No."


class Hearing(models.Model):
    class Kind(models.TextChoices):
        CMC = "cmc", "Case management conference"
        INTERIM = "interim", "Interim application"
        PTR = "ptr", "Pre-trial review"
        TRIAL = "trial", "Trial"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        LISTED = "listed", "Listed"
        ADJOURNED = "adjourned", "Adjourned"
        VACATED = "vacated", "Vacated"
        HEARD = "heard", "Heard"

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(
        max_length=200, blank=True, help_text="e.g. Claimant's application for disclosure"
    )
    # Stored in UTC; shown in the court's time zone (Hearing.local_start).
    starts_at = models.DateTimeField()
    time_estimate = models.CharField(max_length=50, blank=True, help_text="e.g. 2 hours, 1 day")
    venue = models.CharField(max_length=200, blank=True, help_text="Court room and building.")
    remote_link = models.URLField(blank=True, help_text="Video link for a remote hearing.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LISTED)

    objects = matter_scoped_manager("proceeding__matter")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(venue="", remote_link=""),
                name="hearing_has_venue_or_link",
                violation_error_message="Give a venue, a remote link, or both.",
            )
        ]

    def __str__(self) -> str:
        # At the court's clock, with its zone named as everywhere else: a bare "10:30"
        # beside a Beijing hearing reads as London time to a London team.
        return f"{self.display_title} – {wall_time(self.local_start, fmt='j M Y, H:i')}"

    @property
    def display_title(self) -> str:
        """What the hearing is called wherever it is listed alone (a reminder, a calendar
        entry): its own title, else its kind – and a hearing of no listed kind is a
        "Hearing", never an "Other"."""
        if self.title:
            return self.title
        return "Hearing" if self.kind == self.Kind.OTHER else str(self.get_kind_display())

    @property
    def kind_note(self) -> str:
        """The kind, to show beside a hearing listed by its own title ("Case management
        conference"); empty where the title already is the kind, or the kind says nothing."""
        return str(self.get_kind_display()) if self.title and self.kind != self.Kind.OTHER else ""

    def clean(self) -> None:
        # Beyond any real listing, and far enough from datetime's limits that conversion to
        # any court's zone cannot overflow.
        if self.starts_at is not None and not 1990 <= self.starts_at.year <= 2200:
            raise ValidationError({"starts_at": "Give a date between 1990 and 2200."})

    @property
    def matter(self) -> Matter:
        return self.proceeding.matter

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.proceeding.court.zone)
