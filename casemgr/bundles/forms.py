from __future__ import annotations

from django import forms

from casemgr.bundles.models import Bundle, Section
from casemgr.core.forms import MatterRecordForm


class BundleForm(MatterRecordForm):
    class Meta:
        model = Bundle
        fields = ["title", "proceeding", "hearing", "letter", "audience", "dividers", "late_mode"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hearing"].queryset = self.fields["hearing"].queryset.select_related(
            "proceeding"
        )
        self.fields["hearing"].help_text = "The hearing it is for, if any."

    def clean_letter(self) -> str:
        return self.cleaned_data["letter"].strip().upper()


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
