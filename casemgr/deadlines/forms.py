from __future__ import annotations

import zoneinfo
from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django_countries import countries

from casemgr.core.forms import MatterRecordForm
from casemgr.deadlines.models import Deadline, ReminderPreference, TriggerEvent
from casemgr.deadlines.selectors import rule_set_for
from casemgr.matters.forms import DATE, WallClockField, wall_clock_in

ZONES = sorted(zoneinfo.available_timezones())


def _option_field(spec: dict) -> forms.Field:
    """A form field for one option a rule set declares (see engine.py for the vocabulary)."""
    label = spec["label"]
    if spec["type"] == "bool":
        return forms.BooleanField(required=False, label=label)
    if spec["type"] == "int":
        return forms.IntegerField(
            required=False, label=label, min_value=spec.get("min"), max_value=spec.get("max")
        )
    if spec["type"] == "date":
        return forms.DateField(required=False, label=label, widget=DATE)
    if spec["type"] == "country":
        return forms.ChoiceField(
            required=False, label=label, choices=[("", "Within the jurisdiction"), *countries]
        )
    raise ValueError(f"Unknown option type {spec['type']!r} in the rule set.")


class TriggerForm(MatterRecordForm):
    """A trigger as the user saw it happen: the wall-clock time in whichever zone they
    name (the court's by default), converted to an instant before the rules see it."""

    when = WallClockField(
        label="When",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.ChoiceField(
        label="Time zone of that time", help_text="Converted to the court's time zone."
    )

    class Meta:
        model = TriggerEvent
        fields = ["event", "method", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        proceeding = self.instance.proceeding
        self.zone = proceeding.court.zone
        self.rule_set = rule_set_for(proceeding)
        events = self.rule_set.events if self.rule_set else []
        methods = self.rule_set.methods if self.rule_set else []
        self.fields["event"] = forms.ChoiceField(choices=[("", "Choose…"), *events])
        self.fields["method"] = forms.ChoiceField(
            required=False,
            choices=[("", "Not served / not applicable"), *methods],
            label="Service method",
        )
        self.fields["time_zone"].choices = [(zone, zone) for zone in ZONES]
        self.fields["time_zone"].initial = self.zone.key
        # The details the rules may need come from the rule set itself (fixtures/rules/).
        specs = self.rule_set.data.get("options", []) if self.rule_set else []
        self.option_names = [spec["code"] for spec in specs]
        for spec in specs:
            self.fields[spec["code"]] = _option_field(spec)
        self.order_fields(["event", "when", "time_zone", "method", *self.option_names, "note"])
        if self.instance.pk:
            self.initial["when"] = self.instance.local_time.replace(tzinfo=None)
            for name in self.option_names:
                self.initial[name] = self.instance.options.get(name)

    def clean(self):
        cleaned = super().clean()
        typed, zone_name = cleaned.get("when"), cleaned.get("time_zone")
        if typed is not None and zone_name:
            try:
                cleaned["occurred_at"] = wall_clock_in(typed, zoneinfo.ZoneInfo(zone_name))
            except forms.ValidationError as error:
                self.add_error("when", error)
        return cleaned

    def _post_clean(self) -> None:
        if "occurred_at" in self.cleaned_data:
            self.instance.occurred_at = self.cleaned_data["occurred_at"]
        self.instance.options = {
            name: value.isoformat() if isinstance(value, date) else value
            for name in self.option_names
            if (value := self.cleaned_data.get(name)) not in (None, "", False)
        }
        super()._post_clean()

    def option_fields(self):
        return [self[name] for name in self.option_names]


class DeadlineForm(MatterRecordForm):
    """A deadline entered or changed by hand."""

    class Meta:
        model = Deadline
        fields = [
            "title",
            "due_date",
            "due_time",
            "citation",
            "responsible",
            "status",
            "designation",
            "notes",
        ]
        widgets = {
            "due_date": DATE,
            "due_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "responsible": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proceeding"] = forms.ModelChoiceField(
            queryset=self.matter.proceedings.select_related("court"),
            initial=self.instance.proceeding_id if self.instance.proceeding_id else None,
            disabled=self.instance.pk is not None,
        )
        self.order_fields(["proceeding", *self.Meta.fields])
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(memberships__matter=self.matter)
            .order_by("last_name", "username")
        )
        self.fields["responsible"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )
        if self.instance.computed_date:
            self.fields["due_date"].help_text = (
                f"The rules give {self.instance.computed_date:%a %d %b %Y}; "
                "a different date is kept when the trigger is recomputed."
            )

    def _post_clean(self) -> None:
        if self.cleaned_data.get("proceeding") is not None and self.instance.pk is None:
            self.instance.proceeding = self.cleaned_data["proceeding"]
        super()._post_clean()


class ExtensionForm(forms.Form):
    new_date = forms.DateField(label="New date", widget=DATE)
    agreed_with = forms.CharField(
        max_length=200,
        label="Agreed with / ordered by",
        help_text="e.g. Harbour & Pike LLP, letter of 3 December; or Master Kaye's order.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    by_order = forms.BooleanField(
        required=False,
        label="Extended by order of the court",
        help_text="An agreement alone may extend a defence by at most 28 days (CPR 15.5).",
    )


class ReminderPreferenceForm(forms.ModelForm):
    offsets = forms.CharField(
        label="Remind me this many days before",
        help_text="Comma-separated, e.g. 14, 7, 3, 1, 0 (0 is the day itself).",
    )
    time_zone = forms.ChoiceField(choices=[(zone, zone) for zone in ZONES])

    class Meta:
        model = ReminderPreference
        fields = ["offsets", "digest_time", "time_zone"]
        widgets = {"digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        labels = {"digest_time": "Daily digest at"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["offsets"] = ", ".join(str(n) for n in self.instance.offsets)

    def clean_offsets(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["offsets"].split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError("Give whole numbers of days separated by commas.")
        return [int(part) for part in parts]
