"""Redacted versions of an exhibit file's rendition. The original and the rendition never
change: a redaction is a new file, made from the rendition it was drawn on (named by its
SHA-256), and used only once a second member has approved it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from casemgr.access.querysets import matter_scoped_manager
from casemgr.evidence.models import ExhibitFile
from casemgr.matters.models import Matter
from casemgr.redaction.engine import REASON_LABELS


class Redaction(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPLYING = "applying", "Being applied"
        PROPOSED = "proposed", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Could not be applied"
        # Approved once, replaced since by a newer approved redaction of the same file.
        SUPERSEDED = "superseded", "Superseded"

    file = models.ForeignKey(ExhibitFile, on_delete=models.PROTECT, related_name="redactions")
    # The file's matter, repeated so that scoping by matter needs no join.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    # The rendition the boxes were drawn on. A redaction of an older rendition is stale: its
    # boxes may no longer sit over what they were drawn to hide, so it is never used.
    source_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    error = models.TextField(blank=True)
    # Which run of the apply task owns the work (a redelivered task takes over), how many
    # runs there have been, and how far the current one is.
    attempt = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # [width, height] of each page of the source rendition as shown, in PDF points: what a
    # box is checked against, read once when the redaction is started.
    page_sizes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The redacted file, once applied.
    storage_key = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = matter_scoped_manager("matter", designation_path="file__exhibit__designation")

    class Meta:
        ordering = ["file", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["file"],
                condition=models.Q(status="approved"),
                name="one_approved_redaction_per_file",
            ),
            # The four-eyes rule, kept by the database as well as by the service.
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (
                    models.Q(reviewed_by__isnull=False)
                    & ~models.Q(reviewed_by=models.F("proposed_by"))
                ),
                name="redaction_approved_by_a_second_member",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["proposed", "approved", "superseded"])
                | ~models.Q(storage_key=""),
                name="applied_redaction_has_a_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Redaction of {self.file} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("redaction:redaction", kwargs={"matter_pk": self.matter_id, "pk": self.pk})

    @property
    def stale(self) -> bool:
        """Drawn on a rendition the file no longer has: never applied, approved or used."""
        return self.source_sha256 != self.file.rendition_sha256

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.FAILED)

    @property
    def finished(self) -> bool:
        return self.status != self.Status.APPLYING

    @property
    def status_label(self) -> str:
        return "Stale" if self.stale else self.get_status_display()

    @property
    def tone(self) -> str:
        """The badge it is shown with (app.css badge--ok, --warn, --danger, --muted)."""
        if self.stale:
            return "danger"
        return {
            self.Status.APPROVED: "ok",
            self.Status.FAILED: "danger",
            self.Status.REJECTED: "muted",
            self.Status.SUPERSEDED: "muted",
        }.get(self.status, "warn")

    @property
    def percent(self) -> int:
        if self.status in (self.Status.PROPOSED, self.Status.APPROVED):
            return 100
        if not self.pages_total:
            return 0
        return min(99, self.pages_done * 100 // self.pages_total)


class Box(models.Model):
    """One area blacked out: PDF points from the top-left of the page as shown."""

    # (name, (value, label)): a bare (value, label) pair would make the label the value.
    Reason = models.TextChoices(
        "Reason", [(key.name, (key.value, label)) for key, label in REASON_LABELS.items()]
    )

    redaction = models.ForeignKey(Redaction, on_delete=models.CASCADE, related_name="boxes")
    page = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    x0 = models.FloatField()
    y0 = models.FloatField()
    x1 = models.FloatField()
    y1 = models.FloatField()
    reason = models.CharField(max_length=24, choices=Reason.choices)
    # "" for a box drawn by hand; else what found it, e.g. 'term "Orion"' or "e-mail addresses".
    found_by = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = matter_scoped_manager(
        "redaction__matter", designation_path="redaction__file__exhibit__designation"
    )

    class Meta:
        ordering = ["redaction", "page", "y0", "x0", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(x1__gt=models.F("x0")) & models.Q(y1__gt=models.F("y0")),
                name="box_has_an_area",
            ),
        ]

    def __str__(self) -> str:
        return f"p. {self.page} ({self.get_reason_display()})"
