"""Production sets: exhibits given to another party with a production number (a prefix and a
zero-padded counter, "NWA000123") stamped on every page, in a zip with the load files that
review platforms import. The numbers given are recorded per document, so a later production
with the same prefix numbers on from the last number given."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

from casemgr.access.models import Clearance
from casemgr.access.querysets import matter_scoped_manager
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.models import Matter, Party, Proceeding
from casemgr.productions.assembly import number as production_number
from casemgr.redaction.models import Redaction

# Capitals and digits only: the number is stamped in Helvetica's capitals and digits, and
# it is also a file name inside the zip.
PREFIX = RegexValidator(r"^[A-Z0-9]{1,12}$", "Capital letters and digits only, e.g. NWA.")


class NumberRange(models.Model):
    """The last production number given under a prefix in a matter. Building a production
    locks this row while it takes the next numbers, so two builds at once can never give
    the same number twice, and every production numbers on from the one before."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=12, validators=[PREFIX])
    padding = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    objects = matter_scoped_manager("matter")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matter", "prefix"], name="one_counter_per_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}: last {self.last_number}"

    @property
    def next_label(self) -> str:
        return production_number(self.prefix, self.padding, self.last_number + 1)


class Production(models.Model):
    """One production set. It is built once (a failed build may be built again, keeping the
    numbers it took); a correction is a new production, numbered on."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Order(models.TextChoices):
        REFERENCE = "reference", "By exhibit reference"
        DATE = "date", "By document date, oldest first"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="productions")
    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="productions")
    title = models.CharField(max_length=200, help_text='e.g. "Initial disclosure, first tranche"')
    prefix = models.CharField(
        max_length=12,
        validators=[PREFIX],
        help_text="Stamped before each number, e.g. NWA gives NWA000001.",
    )
    padding = models.PositiveSmallIntegerField(
        "digits",
        default=6,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text="How many digits the counter has, with leading zeros.",
    )
    produced_to = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="productions_received",
        help_text="The party receiving the production.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    # Which run of the build task owns it (a redelivered task takes over).
    attempt = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The numbers taken, once the build has counted the pages; kept by a failed build so
    # that building again gives the same numbers.
    first_number = models.PositiveIntegerField(null=True, blank=True)
    last_number = models.PositiveIntegerField(null=True, blank=True)
    # The published zip.
    storage_key = models.CharField(max_length=255, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # The most confidential exhibit chosen: who may see the production at all.
    designation = models.PositiveSmallIntegerField(
        choices=Clearance.choices, default=Clearance.STANDARD
    )
    # Exhibits chosen but not produced, with why ({"exhibit", "reference", "reason"}), and
    # what the reader must know about what was produced ({"reference", "note"}).
    left_out = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)

    objects = matter_scoped_manager("matter", designation_path="designation")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(storage_key=""),
                name="ready_production_has_a_file",
            ),
            models.CheckConstraint(
                condition=models.Q(first_number__isnull=True)
                | models.Q(last_number__gte=models.F("first_number")),
                name="production_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "productions:production", kwargs={"matter_pk": self.matter_id, "pk": self.pk}
        )

    def clean(self) -> None:
        self.prefix = (self.prefix or "").strip().upper()
        if self.proceeding_id and self.proceeding.matter_id != self.matter_id:
            raise ValidationError({"proceeding": "The proceeding must be in this matter."})
        if self.produced_to_id and self.produced_to.matter_id != self.matter_id:
            raise ValidationError({"produced_to": "The party must be in this matter."})

    def label(self, number: int | None) -> str:
        return "" if number is None else production_number(self.prefix, self.padding, number)

    @property
    def first_label(self) -> str:
        return self.label(self.first_number)

    @property
    def last_label(self) -> str:
        return self.label(self.last_number)

    @property
    def page_count(self) -> int:
        if self.first_number is None:
            return 0
        return self.last_number - self.first_number + 1

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.pages_total:
            return 0
        return min(99, self.pages_done * 100 // self.pages_total)

    @staticmethod
    def refusal(exhibit: Exhibit) -> str:
        """Why `exhibit` may not be produced, or "" if it may."""
        if exhibit.status == Exhibit.Status.WITHDRAWN:
            return "withdrawn"
        if exhibit.privileged:
            return "privileged: withheld, and listed in the privilege log instead"
        if exhibit.designation >= Clearance.AEO:
            return "attorneys' eyes only: never produced in a set"
        return ""


class ChosenExhibit(models.Model):
    """An exhibit chosen for a production, in the order its documents are numbered."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="chosen")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    objects = matter_scoped_manager(
        "production__matter",
        designation_path="exhibit__designation",
        optional_designation_paths=("production__designation",),
    )

    class Meta:
        ordering = ["production", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "exhibit"], name="exhibit_once_per_production"
            ),
        ]

    def __str__(self) -> str:
        return self.exhibit.reference


class ProducedDocument(models.Model):
    """One file as produced: the numbers it was given, and the redacted version it was
    produced as, if any."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="documents")
    # Repeated from the production, so the database itself refuses a number given twice.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=12)
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="productions")
    file = models.ForeignKey(ExhibitFile, on_delete=models.PROTECT, related_name="productions")
    redaction = models.ForeignKey(
        Redaction, null=True, blank=True, on_delete=models.PROTECT, related_name="productions"
    )
    position = models.PositiveIntegerField()
    begin = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    page_count = models.PositiveIntegerField()
    # The stamped PDF as it went into the zip.
    sha256 = models.CharField(max_length=64, blank=True)

    objects = matter_scoped_manager(
        "matter",
        designation_path="exhibit__designation",
        optional_designation_paths=("production__designation",),
    )

    class Meta:
        ordering = ["production", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "prefix", "begin"], name="production_number_given_once"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("begin"))
                & models.Q(page_count=models.F("end") - models.F("begin") + 1),
                name="produced_range_matches_pages",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.begin_label}–{self.end_label}"

    @property
    def begin_label(self) -> str:
        return self.production.label(self.begin)

    @property
    def end_label(self) -> str:
        return self.production.label(self.end)
