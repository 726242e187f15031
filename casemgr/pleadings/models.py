from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from casemgr.access.querysets import matter_scoped_manager
from casemgr.core.limits import LONG_TEXT, SHORT_TEXT, text_field
from casemgr.matters.models import Matter, Party, Proceeding


class Claim(models.Model):
    """One cause of action pleaded in a proceeding."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="claims")
    cause_of_action = models.CharField(
        max_length=200, help_text="e.g. Breach of confidence; Breach of the API terms of service"
    )
    claimants = models.ManyToManyField(Party, related_name="claims_brought")
    defendants = models.ManyToManyField(Party, related_name="claims_defended")
    relief_sought = text_field(LONG_TEXT, blank=True)

    objects = matter_scoped_manager("proceeding__matter")

    class Meta:
        ordering = ["proceeding", "pk"]

    def __str__(self) -> str:
        return self.cause_of_action

    @property
    def matter(self) -> Matter:
        return self.proceeding.matter


def validate_claim_parties(claimants, defendants) -> None:
    both = set(claimants) & set(defendants)
    if both:
        names = ", ".join(sorted(str(party) for party in both))
        raise ValidationError(f"A party cannot be both claimant and defendant: {names}.")


_NUMBER = re.compile(r"\d+")


def paragraph_sort_key(paragraph: str) -> str:
    """ "2" < "10" < "10.2" < "10(a)": numbers zero-padded so that text order is pleading order."""
    return _NUMBER.sub(lambda m: m.group().zfill(6), paragraph.strip())[:60]


class Allegation(models.Model):
    """A numbered paragraph of a statement of case, and how the other side answered it."""

    class Response(models.TextChoices):
        NO_RESPONSE = "no_response", "No response yet"
        ADMITTED = "admitted", "Admitted"
        DENIED = "denied", "Denied"
        NOT_ADMITTED = "not_admitted", "Not admitted"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="allegations")
    paragraph = models.CharField(max_length=20, help_text="Paragraph reference, e.g. 23 or 23(a).")
    # Derived from `paragraph` on save; stored so the database can order by it.
    paragraph_sort = models.CharField(max_length=60, editable=False, db_index=True)
    text = text_field(LONG_TEXT)
    against = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations_against",
        help_text="The party the allegation is made against.",
    )
    response = models.CharField(
        max_length=20, choices=Response.choices, default=Response.NO_RESPONSE
    )
    response_note = text_field(
        SHORT_TEXT,
        blank=True,
        help_text="What the defence says, e.g. the reasons given for a denial.",
    )

    objects = matter_scoped_manager("claim__proceeding__matter")

    class Meta:
        ordering = ["claim", "paragraph_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "paragraph"],
                name="paragraph_unique_in_claim",
                violation_error_message="This claim already has a paragraph with that number.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    response__in=["no_response", "admitted", "denied", "not_admitted"]
                ),
                name="allegation_response_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"¶{self.paragraph}"

    def save(self, *args, **kwargs) -> None:
        self.paragraph_sort = paragraph_sort_key(self.paragraph)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.claim_id and self.against_id and self.against.matter_id != self.claim.matter.pk:
            raise ValidationError({"against": "The party must be in this matter."})

    @property
    def matter(self) -> Matter:
        return self.claim.proceeding.matter
