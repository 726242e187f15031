"""API filtering that does not reveal what exists outside the user's matters."""

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number in the database's range (anything else is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    """Filters on links to other rows take plain ids. django-filter would otherwise check the
    id against every row in the table, answering differently for a matter that exists but is
    not yours than for one that does not exist."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class ScopedFilterBackend(DjangoFilterBackend):
    filterset_base = ScopedFilterSet
