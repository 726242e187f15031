from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.forms.fields import BaseTemporalField

from casemgr.core.forms import MatterRecordForm
from casemgr.matters.models import Hearing, Matter, Party, Person, Proceeding

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MatterForm(MatterRecordForm):
    class Meta:
        model = Matter
        fields = ["reference", "title", "status", "opened_on", "description", "ocr_languages"]
        widgets = {"opened_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left out (a form made before the choice existed), it is English, as it always was.
        self.fields["ocr_languages"].required = False

    def clean_ocr_languages(self) -> str:
        return self.cleaned_data["ocr_languages"] or Matter.OcrLanguages.ENGLISH


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


class WallClockField(forms.DateTimeField):
    """A date and time as typed, with no zone attached: the form says whose clock it is."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        # BaseTemporalField parses with input_formats; DateTimeField would then attach the
        # server's zone, which is not the court's.
        return BaseTemporalField.to_python(self, value)


def wall_clock_in(typed: datetime, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time names in `zone`; a time the clocks skip or repeat
    there is refused rather than guessed."""
    if not 1990 <= typed.year <= 2200:
        raise forms.ValidationError("Give a date between 1990 and 2200.")
    moment = typed.replace(tzinfo=zone)
    when = f"{typed:%H:%M} on {typed:%-d %B %Y}"
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != typed:
        raise forms.ValidationError(
            f"{when} does not exist in {zone.key}: the clocks go forward then."
        )
    if moment.replace(fold=1).utcoffset() != moment.utcoffset():
        raise forms.ValidationError(
            f"{when} happens twice in {zone.key} (the clocks go back that night), "
            "so it cannot tell which is meant; check the time with the court's listing."
        )
    return moment


class HearingForm(MatterRecordForm):
    """The start is typed as the court's local time, whatever the user's own zone."""

    start = WallClockField(
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
        return wall_clock_in(self.cleaned_data["start"], self.zone)

    def _post_clean(self) -> None:
        if "start" in self.cleaned_data:
            self.instance.starts_at = self.cleaned_data["start"]
        super()._post_clean()
