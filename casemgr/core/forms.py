from __future__ import annotations

from django import forms

from casemgr.access.querysets import MatterScopedQuerySet


class MatterRecordForm(forms.ModelForm):
    """A form for one of a matter's records. Every choice of another record (a party, a
    proceeding...) is limited to the same matter, so a form can never link across matters."""

    def __init__(self, *args, matter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.matter = matter
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, MatterScopedQuerySet):
                field.queryset = queryset.in_matter(matter)

    def many_to_many_data(self) -> dict:
        """The cleaned many-to-many choices, for `record_save(m2m=...)`."""
        return {
            field.name: self.cleaned_data[field.name]
            for field in self.instance._meta.many_to_many
            if field.name in self.cleaned_data
        }


class DateRangeMixin:
    """A filter form's date_from and date_to: a range that ends before it starts is named on
    date_to (and, in a form whose filters apply one by one, left out)."""

    RANGE_ERROR = "The range ends before it starts."

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", self.RANGE_ERROR)
        return data
