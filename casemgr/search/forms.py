"""The search page's query string: what was typed and the filters, read into SearchFilters."""

from __future__ import annotations

from django import forms

from casemgr.core.forms import DateRangeMixin
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter, Party
from casemgr.search.selectors import KINDS, QUERY_CHARS, SearchFilters

DATE = forms.DateInput(attrs={"type": "date"})
TOO_LONG = "The search is too long: at most {limit:,} characters, and it has {length:,}."


class SearchForm(DateRangeMixin, forms.Form):
    # Longer is refused with its own words (too_long), not cut short behind the user's back.
    q = forms.CharField(required=False, label="Search for", strip=True)
    kind = forms.ChoiceField(
        required=False, label="Show", choices=[("", "Everything"), *KINDS.items()]
    )
    document_type = forms.ChoiceField(
        required=False,
        label="Exhibit type",
        choices=[("", "Any exhibit type"), *Exhibit.DocumentType.choices],
    )
    designation = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Designation"
    )
    party = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Party")
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)

    def __init__(self, *args, matter: Matter, clearance: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the designations the reader may see: a higher one would find nothing anyway.
        self.fields["designation"].choices = [("", "Any designation")] + [
            (value, label)
            for value, label in Exhibit._meta.get_field("designation").choices
            if value <= clearance
        ]
        self.fields["party"].choices = [("", "Any party")] + [
            (p.pk, p.name) for p in Party.objects.in_matter(matter).order_by("name")
        ]

    def clean_q(self) -> str:
        query = " ".join(self.cleaned_data["q"].split())
        if len(query) > QUERY_CHARS:
            raise forms.ValidationError(
                TOO_LONG.format(limit=QUERY_CHARS, length=len(query)), code="too_long"
            )
        return query

    @property
    def too_long(self) -> bool:
        return self.has_error("q", "too_long")

    def filters(self) -> SearchFilters:
        """The valid filters, whatever the others are: an invalid one is shown with its
        error rather than dropping every filter with it."""
        values = {
            k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
        }
        return SearchFilters(
            kinds=(values["kind"],) if values.get("kind") else (),
            document_type=values.get("document_type") or "",
            designation=values.get("designation"),
            party=values.get("party"),
            date_from=values.get("date_from"),
            date_to=values.get("date_to"),
        )

    @property
    def filtered(self) -> bool:
        return self.filters() != SearchFilters()
