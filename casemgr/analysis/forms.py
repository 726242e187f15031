"""The mapping page's form: which column plays which role, the zone, and the main parameters."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.text import Truncator

from casemgr.pleadings.models import Allegation
from casemgr.timeline.forms import allegation_label

from . import logs, mapping

ROLE_LABELS = {
    "timestamp": "Time of the request",
    "account": "Account (API key)",
    "organisation": "Organisation",
    "ip": "IP address",
    "user_agent": "User agent",
    "model": "Model",
    "endpoint": "Endpoint",
    "prompt": "Prompt text",
    "prompt_hash": "Prompt hash",
    "input_tokens": "Input tokens",
    "output_tokens": "Output tokens",
    "status": "Status code",
    "account_created": "Account created",
}
NONE = ""


def role_field(role: str) -> str:
    return f"role_{role}"


class MappingForm(forms.Form):
    """One select per role (the file's columns, or none) and the zone of naive timestamps;
    the parameters a lawyer or expert may want to tune, prefilled with the engine's defaults."""

    timezone = forms.CharField(
        label="Time zone of times without an offset",
        max_length=64,
        help_text="A zone name such as UTC, Europe/London or Asia/Shanghai. Times that carry "
        "their own offset (…Z, +08:00) keep it.",
    )
    burst_threshold = forms.FloatField(
        label="Burst threshold (scaled MADs)",
        min_value=1,
        max_value=50,
        help_text="How far above an account's usual hourly volume, and everyone's, an hour "
        "must be to count as a burst.",
    )
    min_link_kinds = forms.IntegerField(
        label="Kinds of shared value that link two accounts",
        min_value=1,
        max_value=4,
        help_text="Network, user agent, organisation, prompt template.",
    )
    template_similarity = forms.FloatField(
        label="Template similarity",
        min_value=0.3,
        max_value=1,
        help_text="Estimated Jaccard similarity of word 3-grams at which two prompts are one "
        "template.",
    )
    markers = forms.CharField(
        label="Reasoning-elicitation phrases",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One phrase a line; case is ignored.",
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [(NONE, "— none —"), *[(c, c) for c in columns]]
        roles = {}
        for role in mapping.ROLES:
            required = role in mapping.REQUIRED
            roles[role_field(role)] = forms.ChoiceField(
                label=ROLE_LABELS[role],
                choices=choices,
                required=required,
                error_messages={"required": f"Choose the column that holds the {role}."},
            )
        # The roles first, in the engine's order, then the zone and the parameters.
        self.fields = roles | self.fields

    def role_fields(self):
        return [self[role_field(role)] for role in mapping.ROLES]

    def parameter_fields(self):
        return [self[n] for n in ("burst_threshold", "min_link_kinds", "template_similarity")]

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        if zone.upper() == "UTC":
            return "UTC"
        if zone not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                f"“{zone}” is not a time zone casemgr knows; use a name such as Europe/London."
            )
        return zone

    def clean_markers(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["markers"].splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def clean(self):
        cleaned = super().clean()
        chosen: dict[str, list[str]] = {}
        for role in mapping.ROLES:
            column = cleaned.get(role_field(role))
            if column:
                chosen.setdefault(column, []).append(ROLE_LABELS[role].lower())
        for column, roles in chosen.items():
            if len(roles) > 1:
                raise forms.ValidationError(
                    f"The column “{column}” is chosen for {' and '.join(roles)}; a column can "
                    "play one role only."
                )
        return cleaned

    def roles(self) -> dict[str, str | None]:
        """Every role, None where the user chose no column (detection must not fill it)."""
        return {role: self.cleaned_data.get(role_field(role)) or None for role in mapping.ROLES}

    def parameters(self) -> dict:
        return {
            "burst_threshold": self.cleaned_data["burst_threshold"],
            "min_link_kinds": self.cleaned_data["min_link_kinds"],
            "template_similarity": self.cleaned_data["template_similarity"],
            "markers": self.cleaned_data["markers"],
        }


def initial(detected: mapping.Mapping, saved_parameters: dict) -> dict:
    """The form as first shown: what was detected (or saved), and the saved parameters or
    the engine's defaults."""
    defaults = logs.Parameters().as_dict() | (saved_parameters or {})
    values = {role_field(r): c for r, c in detected.roles.items()}
    return values | {
        "timezone": detected.timezone,
        "burst_threshold": defaults["burst_threshold"],
        "min_link_kinds": defaults["min_link_kinds"],
        "template_similarity": defaults["template_similarity"],
        "markers": "\n".join(defaults["markers"]),
    }


class ReportPinForm(forms.Form):
    """Pin one figure or table of a saved report to one of the matter's allegations."""

    label = forms.ChoiceField(label="Figure or table")
    allegation = forms.ModelChoiceField(queryset=Allegation.objects.none(), label="Allegation")

    def __init__(self, *args, analysis, matter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [
            (i["label"], f"{i['label']}. {i['caption']} (page {i['page']})")
            for i in analysis.report_contents
        ]
        allegations = (
            Allegation.objects.in_matter(matter)
            .select_related("claim")
            .order_by("claim__proceeding_id", "claim_id", "paragraph_sort")
        )
        several = len({a.claim_id for a in allegations}) > 1
        field = self.fields["allegation"]
        field.queryset = allegations
        field.label_from_instance = lambda a: (
            f"{allegation_label(a, several)} · {Truncator(a.text).chars(90)}"
        )
