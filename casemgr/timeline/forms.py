"""The timeline's forms: its filters, an event, and an exhibit pinned to an event."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import forms

from casemgr.access.models import Clearance
from casemgr.core.forms import DateRangeMixin, MatterRecordForm
from casemgr.evidence.models import Exhibit, ExhibitFile
from casemgr.matters.forms import DATE
from casemgr.matters.models import Matter, Party, Person
from casemgr.pleadings.models import Allegation, Claim
from casemgr.timeline.models import Event, EvidenceLink


def allegation_label(allegation: Allegation, several_claims: bool) -> str:
    """ "¶12" — or "¶12 Breach of confidence" where the matter pleads several claims, since
    their paragraphs are numbered separately."""
    if several_claims:
        return f"¶{allegation.paragraph} · {allegation.claim.cause_of_action}"
    return f"¶{allegation.paragraph}"


class TimelineFilterForm(DateRangeMixin, forms.Form):
    """The timeline's filters, read from the query string so that a view can be shared."""

    allegation = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    claim = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    party = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    person = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        required=False, label="Agreed?", choices=[("", "Agreed or not"), *Event.Status.choices]
    )
    document_type = forms.ChoiceField(
        required=False,
        label="Exhibit type",
        choices=[("", "Any exhibit type"), *Exhibit.DocumentType.choices],
    )
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)
    kind = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("", "Facts and procedure"), ("fact", "Facts only"), ("procedural", "Procedure")],
    )

    def __init__(self, *args, matter: Matter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.claims = list(Claim.objects.in_matter(matter).order_by("proceeding_id", "pk"))
        self.allegations = list(
            Allegation.objects.in_matter(matter)
            .select_related("claim")
            .order_by("claim__proceeding_id", "claim_id", "paragraph_sort")
        )
        several = len(self.claims) > 1
        self.fields["allegation"].choices = [("", "Any allegation")] + [
            (a.pk, allegation_label(a, several)) for a in self.allegations
        ]
        self.fields["claim"].choices = [("", "Any claim")] + [
            (c.pk, c.cause_of_action) for c in self.claims
        ]
        self.fields["party"].choices = [("", "Any party")] + [
            (p.pk, p.name) for p in Party.objects.in_matter(matter).order_by("name")
        ]
        self.fields["person"].choices = [("", "Anyone")] + [
            (p.pk, p.name) for p in Person.objects.in_matter(matter).order_by("name")
        ]

    def applied(self) -> dict:
        """The filters that are valid, whatever the others are: an invalid one is shown with
        its error rather than dropping every filter with it."""
        self.is_valid()
        values = getattr(self, "cleaned_data", {})
        return {k: v for k, v in values.items() if v not in ("", None) and k not in self.errors}


class EventForm(MatterRecordForm):
    """An event as a lawyer enters it: the date to its precision, and a time only where it
    is known, in the zone where it happened."""

    time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Only for an exact day, with the time zone.",
    )

    class Meta:
        model = Event
        fields = [
            "date",
            "precision",
            "date_end",
            "time_zone",
            "title",
            "description",
            "status",
            "kind",
            "parties",
            "people",
            "allegations",
            "designation",
        ]
        widgets = {
            "date": DATE,
            "date_end": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "parties": forms.SelectMultiple(attrs={"size": 4}),
            "people": forms.SelectMultiple(attrs={"size": 4}),
            "allegations": forms.SelectMultiple(attrs={"size": 5}),
        }
        labels = {"date_end": "Last day", "status": "Agreed or disputed", "kind": "Kind"}

    def __init__(self, *args, clearance: Clearance, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].required = True
        self.fields["date"].help_text = "For a month or a year, any day in it."
        self.fields["time_zone"].widget.attrs["placeholder"] = "e.g. Europe/London"
        self.fields["designation"].choices = [
            (value, label) for value, label in Clearance.choices if value <= clearance
        ]
        allegations = self.fields["allegations"]
        allegations.queryset = allegations.queryset.select_related("claim").order_by(
            "claim__proceeding_id", "claim_id", "paragraph_sort"
        )
        several = Claim.objects.in_matter(self.matter).count() > 1
        allegations.label_from_instance = lambda a: allegation_label(a, several)
        for name in ("parties", "people", "allegations"):
            self.fields[name].help_text = "Ctrl- or ⌘-click to choose several."
        local = self.instance.local_time if self.instance.pk else None
        if local is not None:
            self.initial["time"] = local.time()

    def clean(self):
        data = super().clean()
        at, zone = data.get("time"), data.get("time_zone", "")
        if at is None:
            self.instance.occurred_at = None
        elif not zone:
            self.add_error("time_zone", "Give the time zone the time was observed in.")
        elif data.get("date"):
            try:
                self.instance.occurred_at = datetime.combine(
                    data["date"], at, zoneinfo.ZoneInfo(zone)
                )
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                self.add_error("time_zone", "Not a time zone, e.g. Europe/London.")
        return data


class EvidenceLinkForm(MatterRecordForm):
    """An exhibit the reader may see, pinned to an event, with the file and pages."""

    class Meta:
        model = EvidenceLink
        fields = ["exhibit", "exhibit_file", "pages", "paragraphs", "stance", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        exhibits = self.fields["exhibit"]
        exhibits.queryset = (
            Exhibit.objects.visible_to(user)
            .filter(matter=self.matter)
            .only("pk", "prefix", "number", "title")
            .order_by("prefix", "number")
        )
        exhibits.label_from_instance = lambda e: f"{e.reference} · {e.title}"
        files = self.fields["exhibit_file"]
        files.queryset = (
            ExhibitFile.objects.visible_to(user)
            .filter(matter=self.matter)
            .select_related("exhibit")
            .only("pk", "original_name", "page_count", "exhibit__prefix", "exhibit__number")
            .order_by("exhibit__prefix", "exhibit__number", "pk")
        )
        if self.instance.pk:
            # A link keeps its exhibit (as in the API); only its file and pinpoint change.
            del self.fields["exhibit"]
            files.queryset = files.queryset.filter(exhibit_id=self.instance.exhibit_id)
        files.label_from_instance = _file_label
        files.empty_label = "The exhibit as a whole"
        files.help_text = "The file the pages are in, where the exhibit has one."

    def clean(self):
        data = super().clean()
        self.instance.matter = self.matter
        return data


def _file_label(f: ExhibitFile) -> str:
    pages = f" ({f.page_count} pp.)" if f.page_count else ""
    return f"{f.exhibit.reference}: {f.original_name}{pages}"
