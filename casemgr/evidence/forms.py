from __future__ import annotations

from django import forms

from casemgr.access.models import Clearance
from casemgr.core.forms import MatterRecordForm
from casemgr.evidence import selectors
from casemgr.evidence.detection import Kind
from casemgr.evidence.models import Exhibit
from casemgr.matters.forms import DATE
from casemgr.matters.models import Matter, Party


class ExhibitForm(MatterRecordForm):
    """An exhibit's details. A member may designate a document only up to their own
    clearance: anything higher would vanish from their own view as they saved it."""

    class Meta:
        model = Exhibit
        fields = [
            "prefix",
            "number",
            "title",
            "document_date",
            "date_precision",
            "document_type",
            "designation",
            "privileged",
            "party",
            "author",
            "recipients",
            "custodian",
            "collected_how",
            "collected_on",
            "description",
            "status",
        ]
        widgets = {
            "document_date": DATE,
            "collected_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, clearance: Clearance, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["designation"].choices = [
            (value, label) for value, label in Clearance.choices if value <= clearance
        ]

    def clean_prefix(self) -> str:
        return self.cleaned_data["prefix"].strip().upper()


class ExhibitQuickForm(ExhibitForm):
    """The details a paralegal fills in right after a batch upload: those a court bundle
    depends on (its index gives the date; privileged and designation decide which bundles
    may take it), and the status."""

    class Meta(ExhibitForm.Meta):
        fields = [
            "prefix",
            "number",
            "title",
            "document_date",
            "document_type",
            "party",
            "author",
            "designation",
            "privileged",
            "status",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A row posted without a status (a script that predates the column) keeps its own.
        self.fields["status"].required = False

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or self.instance.status


class ExhibitFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any type"), *[(k, k.upper()) for k in Kind]]
    )
    designation = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", "Any designation")]
    )
    party = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in selectors.SORTS])

    def __init__(self, *args, matter: Matter, clearance, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["designation"].choices += [
            (value, label)
            for value, label in Exhibit._meta.get_field("designation").choices
            if value <= clearance
        ]
        self.fields["party"].choices = [("", "Any party")] + [
            (party.pk, party.name) for party in Party.objects.in_matter(matter)
        ]
