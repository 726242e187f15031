from __future__ import annotations

from django import forms

from casemgr.core.forms import MatterRecordForm
from casemgr.pleadings.models import Allegation, Claim, validate_claim_parties


class ClaimForm(MatterRecordForm):
    class Meta:
        model = Claim
        fields = ["proceeding", "cause_of_action", "claimants", "defendants", "relief_sought"]
        widgets = {
            "claimants": forms.CheckboxSelectMultiple,
            "defendants": forms.CheckboxSelectMultiple,
            "relief_sought": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        validate_claim_parties(cleaned.get("claimants") or [], cleaned.get("defendants") or [])
        return cleaned


class AllegationForm(MatterRecordForm):
    class Meta:
        model = Allegation
        fields = ["paragraph", "text", "against", "response", "response_note"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "response_note": forms.Textarea(attrs={"rows": 3}),
        }
