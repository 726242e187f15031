from __future__ import annotations

from django import forms

from casemgr.core.forms import MatterRecordForm
from casemgr.evidence.models import Exhibit
from casemgr.productions.models import Production


class ProductionForm(MatterRecordForm):
    """A new production: its details, and the exhibits ticked in the list below them (only
    those the member can see are offered: `exhibits` is their queryset)."""

    order = forms.ChoiceField(
        choices=Production.Order.choices,
        initial=Production.Order.REFERENCE,
        help_text="The order in which the documents are numbered.",
    )
    exhibits = forms.ModelMultipleChoiceField(
        queryset=Exhibit.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,  # drawn as the table of exhibits
    )

    class Meta:
        model = Production
        fields = ["title", "proceeding", "produced_to", "prefix", "padding"]

    def __init__(self, *args, exhibits, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exhibits"].queryset = exhibits
        self.fields["produced_to"].label = "Produced to"

    def clean_prefix(self) -> str:
        return self.cleaned_data["prefix"].strip().upper()

    def clean_exhibits(self):
        exhibits = self.cleaned_data["exhibits"]
        if not exhibits:
            raise forms.ValidationError("Tick the exhibits to produce.")
        return exhibits
