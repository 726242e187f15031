from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from casemgr.access.models import Clearance
from casemgr.access.querysets import matter_scoped_manager
from casemgr.core.limits import LONG_TEXT, text_field
from casemgr.evidence import ocr
from casemgr.matters.models import Matter, Party

# An exhibit reference's prefix: witness initials or a producing party's letters.
PREFIX = RegexValidator(r"^[A-Za-z0-9]{1,10}$", "Letters and digits only, e.g. MA.")


class Exhibit(models.Model):
    """A document produced in evidence, referred to as e.g. "MA-1" (a witness's initials, or a
    producing party's prefix, and a number). It may hold several files: an e-mail and its
    attachments, or a corrected copy beside the original."""

    class DatePrecision(models.TextChoices):
        DAY = "day", "Exact day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"
        APPROXIMATE = "approximate", "Approximate"

    class DocumentType(models.TextChoices):
        LETTER = "letter", "Letter"
        EMAIL = "email", "E-mail"
        CONTRACT = "contract", "Contract or terms"
        LOG = "log", "Log or data export"
        SCREENSHOT = "screenshot", "Screenshot or photo"
        REPORT = "report", "Report"
        STATEMENT = "statement", "Witness statement"
        COURT_DOCUMENT = "court_document", "Court document"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        NEW = "new", "New – details to complete"
        REVIEWED = "reviewed", "Reviewed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="exhibits")
    prefix = models.CharField(
        max_length=10,
        validators=[PREFIX],
        help_text="Witness initials or producing party's prefix, e.g. MA or PX.",
    )
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=300)
    description = text_field(LONG_TEXT, blank=True)
    document_date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    author = models.CharField(max_length=200, blank=True)
    recipients = models.CharField(max_length=500, blank=True)
    document_type = models.CharField(
        max_length=20, choices=DocumentType.choices, default=DocumentType.OTHER
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exhibits",
        help_text="The party that produced the document.",
    )
    custodian = models.CharField(max_length=200, blank=True)
    collected_how = models.CharField(
        max_length=200, blank=True, help_text="e.g. forensic image of mailbox, API log export"
    )
    collected_on = models.DateField(null=True, blank=True)
    designation = models.PositiveSmallIntegerField(
        choices=Clearance.choices, default=Clearance.STANDARD
    )
    privileged = models.BooleanField(
        default=False, help_text="Legally privileged: never disclosed to the other side."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The upload page's files race each other; these say which drop an exhibit came in (a
    # key the page makes) and its place in it, so that it is numbered in drop order
    # (services._upload_number). Cleared when a member saves its details: its reference is
    # theirs from then on, and no late file of the drop moves it.
    upload_batch = models.UUIDField(null=True, blank=True, editable=False)
    upload_position = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = matter_scoped_manager("matter", designation_path="designation")

    class Meta:
        ordering = ["prefix", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "prefix", "number"],
                name="exhibit_reference_unique_in_matter",
                violation_error_message="This matter already has an exhibit with that reference.",
            ),
            models.CheckConstraint(
                condition=models.Q(designation__in=Clearance.values),
                name="exhibit_designation_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:exhibit", kwargs={"matter_pk": self.matter_id, "pk": self.pk})

    def clean(self) -> None:
        # "ma-1" and "MA-1" are the same exhibit to a court.
        self.prefix = (self.prefix or "").upper()
        if self.party_id is not None and self.party.matter_id != self.matter_id:
            raise ValidationError({"party": "The party must be in this matter."})

    @property
    def reference(self) -> str:
        return f"{self.prefix}-{self.number}"

    def missing_details(self) -> list[str]:
        """What the exhibit still needs to be court-ready, beyond the title it always has: a
        bundle's index and a list of documents give each document's date and the party that
        produced it. Until both are known it is "New – details to complete"; see
        services.exhibits_save for when that clears."""
        missing = []
        if self.document_date is None:
            missing.append("date")
        if self.party_id is None:
            missing.append("producing party")
        return missing


class ExhibitFile(models.Model):
    """Stored bytes, which never change: a corrected document is a new file. The SHA-256 is
    taken while the upload streams in and checked again whenever the bytes are served."""

    class Rendition(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Ocr(models.TextChoices):
        UNCHECKED = "", "Not checked"  # stored before OCR existed: see `manage.py ocr_backfill`
        NOT_NEEDED = "not_needed", "Not needed"  # every page has text, or not a scan's kind
        PENDING = "pending", "Reading text…"
        RUNNING = "running", "Reading text…"
        DONE = "done", "Text read by OCR"
        FAILED = "failed", "Text could not be read"

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="files")
    # The exhibit's matter, repeated so that scoping by matter needs no join.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=10)
    mime = models.CharField(max_length=100)
    flags = models.JSONField(default=list, blank=True)
    storage_key = models.CharField(max_length=255)
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
        help_text="The e-mail this attachment came out of.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rendition = models.CharField(
        max_length=10, choices=Rendition.choices, default=Rendition.PENDING
    )
    rendition_key = models.CharField(max_length=255, blank=True)
    rendition_sha256 = models.CharField(max_length=64, blank=True)
    rendition_error = models.TextField(blank=True)
    rendition_attempts = models.PositiveSmallIntegerField(default=0)
    # renditions.FORMAT of the rendition, set when it is made (0: made before formats were
    # recorded). One laid out in an older format is stale: see services.rendition_stale.
    rendition_format = models.PositiveSmallIntegerField(default=0)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # Reading the text of a scan's pages into its rendition (casemgr.evidence.ocr), after the
    # rendition is ready: the languages it was read in, the pages it found no text on, and
    # since when it has been pending or running (a stalled one may be retried).
    ocr = models.CharField(max_length=12, choices=Ocr.choices, default=Ocr.UNCHECKED, blank=True)
    ocr_error = models.TextField(blank=True)
    ocr_languages = models.CharField(max_length=20, blank=True)
    ocr_unread = models.JSONField(default=list, blank=True)
    ocr_since = models.DateTimeField(null=True, blank=True)
    # What became of an e-mail's attachments that were not stored (refused, or already there).
    notes = models.JSONField(default=list, blank=True)

    objects = matter_scoped_manager("matter", designation_path="exhibit__designation")

    class Meta:
        ordering = ["exhibit", "uploaded_at", "pk"]
        constraints = [
            # Per exhibit, not per matter: a user who cannot see an AEO exhibit must still be
            # able to add the same document at their own level, without learning it exists.
            models.UniqueConstraint(
                fields=["exhibit", "sha256"],
                name="file_once_per_exhibit",
                violation_error_message="This file is already in the exhibit.",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def rendition_retryable(self) -> bool:
        """Failed, or still pending long after any worker would have finished with it."""
        if self.rendition == self.Rendition.FAILED:
            return True
        stalled = timezone.now() - self.uploaded_at > timedelta(minutes=15)
        return self.rendition == self.Rendition.PENDING and stalled

    @property
    def ocr_stalled(self) -> bool:
        """Pending or running for longer than any worker would take over it."""
        return (
            self.ocr in (self.Ocr.PENDING, self.Ocr.RUNNING)
            and self.ocr_since is not None
            and self.ocr_since < ocr_stall_cutoff()
        )

    @property
    def ocr_retryable(self) -> bool:
        return self.ocr == self.Ocr.FAILED or self.ocr_stalled

    @property
    def ocr_in_progress(self) -> bool:
        return self.ocr in (self.Ocr.PENDING, self.Ocr.RUNNING) and not self.ocr_stalled

    @property
    def ocr_languages_label(self) -> str:
        return ocr.languages_label(self.ocr_languages)

    @property
    def ocr_unread_label(self) -> str:
        """ "p. 3", "pp. 3, 7" — the first 20 pages OCR found no text on, then how many more."""
        pages = self.ocr_unread
        shown = ", ".join(str(number) for number in pages[:20])
        more = f" and {len(pages) - 20:,} more" if len(pages) > 20 else ""
        return f"{'p.' if len(pages) == 1 else 'pp.'} {shown}{more}"


def ocr_stall_cutoff():
    """Pending or running OCR older than this has lost its worker: the longest OCR run is
    stopped at OCR_TIMEOUT, and a queued task waits no more than a quarter of an hour."""
    return timezone.now() - timedelta(seconds=settings.OCR_TIMEOUT) - timedelta(minutes=15)


class ExhibitPage(models.Model):
    """The text of one page of a file's rendition, as extracted from the PDF (after OCR, for
    a scan), so that a search hit names its page: "NWA-12, p. 7". Derived data: made again
    whenever the rendition is, never edited. The search app indexes it (casemgr.search)."""

    file = models.ForeignKey(ExhibitFile, on_delete=models.CASCADE, related_name="pages")
    # The file's matter, repeated so that scoping by matter needs no join.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()  # 1-based, as in the preview
    text = models.TextField(blank=True)
    # Written by a PostgreSQL trigger that casemgr.search installs; null on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = matter_scoped_manager("matter", designation_path="file__exhibit__designation")

    class Meta:
        ordering = ["file", "number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="page_once_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.file} p. {self.number}"
