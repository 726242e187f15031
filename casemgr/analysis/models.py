"""An analysis of one exhibit file: what was read, how, with what, and what came out."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from casemgr.access.querysets import matter_scoped_manager
from casemgr.evidence.models import ExhibitFile
from casemgr.matters.models import Matter


class Analysis(models.Model):
    """The source is an immutable ExhibitFile; its SHA-256 is recorded as read, and the
    results name the engine's and the libraries' versions, so a figure can be traced to the
    exact bytes and code that made it. Seen by whoever may see the source exhibit."""

    class Kind(models.TextChoices):
        LOGS = "logs", "API access log"
        OUTPUTS = "outputs", "Model-output pairs"

    class Status(models.TextChoices):
        NEW = "new", "Mapping to confirm"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(ExhibitFile, on_delete=models.PROTECT, related_name="analyses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    versions = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    error = models.TextField(blank=True)
    # Progress while it runs: the engine's stage and its share of the work done.
    stage = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)
    cancel_requested = models.BooleanField(default=False)
    # Each run claims the analysis with a token of its own (see services.analysis_execute),
    # so a task handed to a second worker after the first died finishes it once, and the
    # lost run can no longer write to it.
    attempt = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The exhibit the report was saved as ("Save as exhibit"), once saved.
    report = models.OneToOneField(
        "evidence.Exhibit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="analysis_report_of",
    )
    # What the saved report holds, in order: [{"label": "Figure 1", "caption": …, "page": 5}],
    # so that a figure can be pinned to an allegation by what it shows.
    report_contents = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = matter_scoped_manager("matter", designation_path="source__exhibit__designation")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.source.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    def clean(self) -> None:
        if self.source_id and self.source.matter_id != self.matter_id:
            raise ValidationError({"source": "The source must be a file of this matter."})
