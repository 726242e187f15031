from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from casemgr.core.forms import MatterRecordForm
from casemgr.matters.models import Hearing, Matter, Party, Person, Proceeding

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MatterForm(MatterRecordForm):
    class Meta:
        model = Matter
        fields = ["reference", "title", "status", "opened_on", "description"]
        widgets = {"opened_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}


class PartyForm(MatterRecordForm):
    class Meta:
        model = Party
        fields = ["name", "kind", "role", "country", "parent", "solicitors", "counsel"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk=self.instance.pk
            )


class PersonForm(MatterRecordForm):
    class Meta:
        model = Person
        fields = ["name", "organisation", "role", "party", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ProceedingForm(MatterRecordForm):
    class Meta:
        model = Proceeding
        fields = ["court", "case_number", "title", "our_side", "status", "issued_on"]
        widgets = {"issued_on": DATE}


class HearingForm(MatterRecordForm):
    """The start is typed as the court's local time, whatever the user's own zone."""

    start = forms.DateTimeField(
        label="Starts (court's local time)",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    remote_link = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=Hearing._meta.get_field("remote_link").help_text,
    )

    class Meta:
        model = Hearing
        fields = ["kind", "title", "start", "time_estimate", "venue", "remote_link", "status"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = self.instance.proceeding.court.zone
        self.fields["start"].help_text = f"In {self.zone.key} time."
        if self.instance.pk:
            self.initial["start"] = self.instance.local_start.replace(tzinfo=None)

    def clean_start(self) -> datetime:
        # Django made the typed value aware in the server's zone; undo that and read the
        # wall-clock time in the court's zone instead.
        typed = timezone.make_naive(self.cleaned_data["start"])
        return typed.replace(tzinfo=self.zone)

    def _post_clean(self) -> None:
        if "start" in self.cleaned_data:
            self.instance.starts_at = self.cleaned_data["start"]
        super()._post_clean()
