"""Court bundles: what goes in (sections and entries), and each built version of the PDF."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from casemgr.access.models import Clearance
from casemgr.access.querysets import matter_scoped_manager
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.models import Hearing, Matter, Proceeding

LETTER = RegexValidator(r"^[A-Z]{1,2}$", "One or two capital letters, e.g. A or AA.")


class Bundle(models.Model):
    class Audience(models.TextChoices):
        ALL_PARTIES = "all_parties", "The court and all parties"
        OUR_SIDE = "our_side", "Our side only"
        RING = "ring", "Confidentiality ring"

    class LateMode(models.TextChoices):
        END = "end", "At the end, numbered on from the last page"
        IN_PLACE = "in_place", "In place, numbered like 45A, 45B"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="bundles")
    proceeding = models.ForeignKey(Proceeding, on_delete=models.PROTECT, related_name="bundles")
    hearing = models.ForeignKey(
        Hearing, null=True, blank=True, on_delete=models.PROTECT, related_name="bundles"
    )
    title = models.CharField(max_length=200, help_text='e.g. "Bundle for the CMC on 12 March 2027"')
    letter = models.CharField(
        max_length=2,
        default="A",
        validators=[LETTER],
        help_text="The bundle's letter, in its file name and on its cover (A, B, C…).",
    )
    audience = models.CharField(
        max_length=12,
        choices=Audience.choices,
        default=Audience.ALL_PARTIES,
        help_text=(
            "Who will receive it. Privileged exhibits never go to other parties; "
            "attorneys'-eyes-only exhibits only into a confidentiality-ring bundle."
        ),
    )
    dividers = models.BooleanField(default=True, help_text="A divider page before each section.")
    late_mode = models.CharField(
        "late documents",
        max_length=10,
        choices=LateMode.choices,
        default=LateMode.END,
        help_text="Where documents added after a version was served go.",
    )
    open_version = models.BooleanField(
        "also make the open (redacted) version",
        default=False,
        help_text=(
            "For a confidentiality-ring bundle: each build also makes the version for readers "
            "outside the ring, with the same page numbers, approved redactions in place of the "
            "exhibits they redact and attorneys'-eyes-only documents withheld. Members without "
            "AEO clearance then see the bundle and may download that version only."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A confidentiality-ring bundle is, as a whole, attorneys' eyes only: outside the ring
    # (clearance below AEO) it does not exist, like an AEO exhibit; unless it is also made in
    # an open version, which is for readers outside the ring (its ring versions and its AEO
    # entries stay hidden from them by their own designations). Derived from the audience,
    # so the two can never disagree.
    designation = models.GeneratedField(
        expression=models.Case(
            models.When(
                audience=Audience.RING,
                open_version=False,
                then=models.Value(Clearance.AEO.value),
            ),
            default=models.Value(Clearance.STANDARD.value),
        ),
        output_field=models.PositiveSmallIntegerField(choices=Clearance.choices),
        db_persist=True,
    )

    objects = matter_scoped_manager("matter", designation_path="designation")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("bundles:bundle", kwargs={"matter_pk": self.matter_id, "pk": self.pk})

    def clean(self) -> None:
        self.letter = (self.letter or "").upper()
        if self.proceeding_id and self.proceeding.matter_id != self.matter_id:
            raise ValidationError({"proceeding": "The proceeding must be in this matter."})
        if self.hearing_id and self.hearing.proceeding_id != self.proceeding_id:
            raise ValidationError({"hearing": "The hearing must be in the bundle's proceeding."})

    @property
    def makes_open_version(self) -> bool:
        return self.audience == self.Audience.RING and self.open_version

    @property
    def uses_redactions(self) -> bool:
        """Whether the bundle's (only) version uses approved redactions: a bundle for the
        court and all parties does; our side's and the ring's use the exhibits as they are."""
        return self.audience == self.Audience.ALL_PARTIES

    def refusal(self, exhibit: Exhibit) -> str:
        """Why `exhibit` may not go into this bundle, or "" if it may."""
        if exhibit.status == Exhibit.Status.WITHDRAWN:
            return "withdrawn"
        if exhibit.privileged and self.audience != self.Audience.OUR_SIDE:
            return "privileged: never disclosed to other parties"
        if exhibit.designation == Clearance.AEO and self.audience != self.Audience.RING:
            return "attorneys' eyes only: goes only into a confidentiality-ring bundle"
        return ""


class Section(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="sections")
    letter = models.CharField(max_length=2, validators=[LETTER])
    title = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    objects = matter_scoped_manager("bundle__matter", designation_path="bundle__designation")

    class Meta:
        ordering = ["bundle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "letter"],
                name="section_letter_unique_in_bundle",
                violation_error_message="The bundle already has a section with that letter.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.title}"

    @property
    def matter(self) -> Matter:
        return self.bundle.matter


class Entry(models.Model):
    """One document in a section: an exhibit (all its files, in order) or one of its files."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="entries")
    # Repeated from the section so that scoping and clearance need no join through it.
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="bundle_entries")
    file = models.ForeignKey(
        ExhibitFile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundle_entries",
        help_text="One file of the exhibit; empty for all its files.",
    )
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = matter_scoped_manager(
        "bundle__matter",
        designation_path="exhibit__designation",
        optional_designation_paths=("bundle__designation",),
    )

    class Meta:
        ordering = ["section__position", "position", "pk"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "exhibit"],
                condition=models.Q(file__isnull=True),
                name="exhibit_once_per_bundle",
                violation_error_message="This exhibit is already in the bundle.",
            ),
            models.UniqueConstraint(
                fields=["bundle", "file"],
                name="file_once_per_bundle",
                violation_error_message="This file is already in the bundle.",
            ),
        ]

    def __str__(self) -> str:
        return self.exhibit.reference

    @property
    def matter(self) -> Matter:
        return self.bundle.matter

    @property
    def key(self) -> str:
        """The builder's name for this document, stable across versions."""
        return f"entry:{self.pk}"


class Version(models.Model):
    """One build of the bundle. Published files never change; a rebuild is a new version."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    # Which run of the task owns the build: a second run (redelivery after a worker died)
    # takes over, and the first one's progress and result are then ignored.
    attempt = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    late_mode = models.CharField(max_length=10, choices=Bundle.LateMode.choices)
    # The published file.
    storage_key = models.CharField(max_length=255, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # The most confidential document inside: who may download the file. A ring bundle's
    # version is attorneys' eyes only whatever is inside (it is the ring's file).
    designation = models.PositiveSmallIntegerField(
        choices=Clearance.choices, default=Clearance.STANDARD
    )
    # The open version of a ring bundle, built with it (bundles/open_version.py): the same
    # pages and numbers, redacted, attorneys'-eyes-only documents withheld. Empty otherwise.
    open_storage_key = models.CharField(max_length=255, blank=True)
    open_file_name = models.CharField(max_length=200, blank=True)
    open_sha256 = models.CharField(max_length=64, blank=True)
    open_size = models.PositiveBigIntegerField(null=True, blank=True)
    open_page_count = models.PositiveIntegerField(null=True, blank=True)
    # The most confidential document shown in the open file (withheld ones are not).
    open_designation = models.PositiveSmallIntegerField(
        choices=Clearance.choices, default=Clearance.STANDARD
    )
    layout = models.JSONField(default=dict, blank=True)  # the builder's, for late documents
    contents = models.JSONField(default=list, blank=True)  # index rows, for the page and diffs
    # Pages with no text ({"document", "page"}): they need OCR, unless "ocr" says that OCR
    # found no text on the page ("unread") or was still reading it at the build ("pending").
    scanned = models.JSONField(default=list, blank=True)
    # Images drawn finer than 300 dpi, resampled to it in the file (the exhibits keep theirs).
    resampled = models.PositiveIntegerField(default=0)
    left_out = models.JSONField(default=list, blank=True)  # entries refused for the audience
    served_at = models.DateTimeField(null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = matter_scoped_manager(
        "bundle__matter",
        designation_path="designation",
        optional_designation_paths=("bundle__designation",),
    )

    class Meta:
        ordering = ["bundle", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "number"], name="version_number_unique_in_bundle"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(storage_key=""),
                name="ready_version_has_a_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} v{self.number}"

    @property
    def matter(self) -> Matter:
        return self.bundle.matter

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def needs_ocr(self) -> list[dict]:
        return [page for page in self.scanned if not page.get("ocr")]

    @property
    def ocr_pending(self) -> list[dict]:
        return [page for page in self.scanned if page.get("ocr") == "pending"]

    @property
    def ocr_unread(self) -> list[dict]:
        return [page for page in self.scanned if page.get("ocr") == "unread"]

    @property
    def has_open_version(self) -> bool:
        return bool(self.open_storage_key)

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.pages_total:
            return 0
        return min(99, self.pages_done * 100 // self.pages_total)
