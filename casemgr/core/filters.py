"""API filtering that does not reveal what exists outside the user's matters."""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters, serializers

ID_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number in the database's range (anything else is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class InstantField(IsoDateTimeField):
    """An ISO 8601 instant, compared in UTC. Python takes any offset under a day
    ("-22:06"), PostgreSQL only those under 16 hours: a query with the offset as given would
    be a server error, not the 400 a bad value is."""

    default_error_messages = {"overflow": "Give an instant between the years 1 and 9999 (UTC)."}

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["overflow"], code="overflow") from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


# How a boolean is written in a query string (`?privileged=true`).
BOOLEANS = {"true", "false", "True", "False", "1", "0"}


class ScopedFilterSet(django_filters.FilterSet):
    """Filters on links to other rows take plain ids. django-filter would otherwise check the
    id against every row in the table, answering differently for a matter that exists but is
    not yours than for one that does not exist.

    A filter given with no value (`?status=`) or a yes/no filter given neither is refused,
    where django-filter would quietly not filter: the schema says what a value must be (a
    text filter given empty still does not filter: an empty text is one)."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.DateTimeField: {"filter_class": InstantFilter},
    }

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.data
        lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
        for name, given in lists:
            if name not in self.filters:
                continue
            if "" in given and not isinstance(self.filters[name], django_filters.CharFilter):
                self.form.add_error(name, "Give a value, or leave the parameter out.")
            elif isinstance(self.filters[name], django_filters.BooleanFilter) and (
                set(given) - BOOLEANS
            ):
                self.form.add_error(name, "Give true or false.")
        return valid and not self.form.errors


class ScopedFilterBackend(DjangoFilterBackend):
    filterset_base = ScopedFilterSet


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, with a refused term (a null character) reported under the
    parameter's name, like every other bad value, instead of as a bare list of messages."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({self.search_param: error.detail}) from None
