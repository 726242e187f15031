from __future__ import annotations

from django import forms

from casemgr.access.models import Clearance
from casemgr.bundles.models import Bundle, Section
from casemgr.core.forms import MatterRecordForm


class BundleForm(MatterRecordForm):
    """A bundle's details. Only a member cleared for AEO may make a bundle for the
    confidentiality ring: such a bundle is AEO, and would vanish from anyone else's view as
    they saved it (like an exhibit designated above their clearance)."""

    class Meta:
        model = Bundle
        fields = [
            "title",
            "proceeding",
            "hearing",
            "letter",
            "audience",
            "open_version",
            "dividers",
            "late_mode",
        ]

    def __init__(self, *args, clearance: Clearance | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if (clearance or 0) < Clearance.AEO and self.instance.audience == Bundle.Audience.RING:
            # A ring bundle with an open version, seen from outside the ring: its audience
            # and its open version are the ring's to change (without them the bundle would
            # vanish from this member's view as they saved it).
            self.fields["audience"].disabled = True
            self.fields["open_version"].disabled = True
        elif (clearance or 0) < Clearance.AEO:
            self.fields["audience"].choices = [
                choice
                for choice in self.fields["audience"].choices
                if choice[0] != Bundle.Audience.RING
            ]
        self.fields["hearing"].queryset = self.fields["hearing"].queryset.select_related(
            "proceeding"
        )
        self.fields["hearing"].help_text = "The hearing it is for, if any."

    def clean_letter(self) -> str:
        return self.cleaned_data["letter"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("open_version") and cleaned.get("audience") != Bundle.Audience.RING:
            self.add_error(
                "open_version",
                "Only a confidentiality-ring bundle has an open version: a bundle for all "
                "parties is itself the open one (it uses approved redactions).",
            )
        return cleaned


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["letter", "title"]

    def clean_letter(self) -> str:
        return self.cleaned_data["letter"].strip().upper()


class SplitForm(forms.Form):
    sections = forms.ModelMultipleChoiceField(
        queryset=Section.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="These sections, with their documents, go into a new bundle.",
    )

    def __init__(self, *args, bundle: Bundle, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sections"].queryset = bundle.sections.all()
