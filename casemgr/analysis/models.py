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
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

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

    def clean(self) -> None:
        if self.source_id and self.source.matter_id != self.matter_id:
            raise ValidationError({"source": "The source must be a file of this matter."})
