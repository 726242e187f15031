"""A proceeding's disclosure: the documents disclosed (or produced) and the documents
withheld from inspection, each a row naming the exhibit it lists. The two lists are laid out
in the form the proceeding's court expects (grounds.Form) when shown or exported."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from casemgr.access.querysets import matter_scoped_manager
from casemgr.core.limits import LONG_TEXT, text_field
from casemgr.disclosure.grounds import GROUND_LABELS, WITHHOLDING_LABELS, Withholding
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter, Party, Proceeding


class DisclosureEntry(models.Model):
    """One document on one of a proceeding's two lists. Its date, description, type, party,
    author and recipients start as the exhibit's and may be reworded for the list: the
    description of a withheld document must not give away what is privileged in it."""

    class Kind(models.TextChoices):
        DISCLOSED = "disclosed", "Disclosed"
        WITHHELD = "withheld", "Withheld"

    # (name, (value, label)): given bare (value, label) pairs, the functional API would
    # take the value for the member's name and store the label.
    Ground = models.TextChoices("Ground", [(k.name, (str(k), v)) for k, v in GROUND_LABELS.items()])
    Withholding = models.TextChoices(
        "Withholding", [(k.name, (str(k), v)) for k, v in WITHHOLDING_LABELS.items()]
    )

    # The proceeding's matter, repeated so that scoping by matter needs no join.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    proceeding = models.ForeignKey(
        Proceeding, on_delete=models.CASCADE, related_name="disclosure_entries"
    )
    exhibit = models.ForeignKey(
        Exhibit, on_delete=models.PROTECT, related_name="disclosure_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    document_date = models.DateField(null=True, blank=True, verbose_name="date")
    description = text_field(LONG_TEXT)
    document_type = models.CharField(
        max_length=20, choices=Exhibit.DocumentType.choices, default=Exhibit.DocumentType.OTHER
    )
    producing_party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    custodian = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    recipients = models.CharField(
        max_length=500, blank=True, help_text="To and copied, e.g. “To: A. Reed; cc: J. Moss”."
    )
    disclosed_on = models.DateField(null=True, blank=True, verbose_name="date disclosed")
    production_numbers = models.CharField(
        max_length=120,
        blank=True,
        help_text="The production numbers given to it, e.g. NWA000001–NWA000012.",
    )
    ground = models.CharField(max_length=30, choices=Ground.choices, blank=True)
    ground_detail = models.CharField(
        max_length=200,
        blank=True,
        verbose_name="ground, in your words",
        help_text="Needed when the ground is “Other”.",
    )
    withholding = models.CharField(
        verbose_name="withheld in full or produced with redactions",
        max_length=10,
        choices=Withholding.choices,
        default="in_full",
    )
    issue = models.CharField(
        max_length=200,
        blank=True,
        verbose_name="Issue for Disclosure",
        help_text="The Issue for Disclosure the document goes to, where known, e.g. “Issue 3”.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = matter_scoped_manager("matter", designation_path="exhibit__designation")

    class Meta:
        ordering = ["proceeding", "kind", "document_date", "pk"]
        verbose_name = "disclosure list entry"
        verbose_name_plural = "disclosure list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["proceeding", "exhibit", "kind"],
                name="exhibit_once_per_disclosure_list",
                violation_error_message="This exhibit is already on that list.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["disclosed", "withheld"]),
                name="disclosure_entry_kind_is_known",
            ),
            # A ground is claimed for a withheld document only.
            models.CheckConstraint(
                condition=models.Q(kind="withheld") | models.Q(ground=""),
                name="disclosed_entry_claims_no_ground",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exhibit.reference} ({self.get_kind_display().lower()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.proceeding_id is not None and self.proceeding.matter_id != self.matter_id:
            errors["proceeding"] = "The proceeding must be in this matter."
        if self.exhibit_id is not None and self.exhibit.matter_id != self.matter_id:
            errors["exhibit"] = "Choose an exhibit of this matter."
        if self.producing_party_id is not None and self.producing_party.matter_id != (
            self.matter_id
        ):
            errors["producing_party"] = "The party must be in this matter."
        if self.kind == self.Kind.WITHHELD:
            if not self.ground:
                errors["ground"] = "Say on what ground the document is withheld."
            elif self.ground == self.Ground.OTHER and not self.ground_detail.strip():
                errors["ground_detail"] = "State the ground claimed."
        if errors:
            raise ValidationError(errors)
        if self.exhibit_id is not None and self.proceeding_id is not None:
            self._check_against_other_list()

    def _check_against_other_list(self) -> None:
        """A document withheld in full is not also disclosed; one produced with redactions
        is on both lists. A privileged exhibit is disclosed only with its privileged
        passages redacted (an entry withheld with redactions says so)."""
        others = DisclosureEntry.objects.filter(
            proceeding_id=self.proceeding_id, exhibit_id=self.exhibit_id
        ).exclude(pk=self.pk)
        reference = self.exhibit.reference
        if self.kind == self.Kind.DISCLOSED:
            if others.filter(kind=self.Kind.WITHHELD, withholding=Withholding.IN_FULL).exists():
                raise ValidationError(
                    f"{reference} is listed as withheld in full. Change that entry to "
                    "“produced with redactions” first, or remove it."
                )
        elif self.withholding == Withholding.IN_FULL and others.exists():
            raise ValidationError(
                f"{reference} is on the list of documents disclosed. Remove it from that "
                "list to withhold it in full, or choose “produced with redactions”."
            )
