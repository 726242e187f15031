"""API filtering that does not reveal what exists outside the user's matters."""

import django_filters
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend


class ScopedFilterSet(django_filters.FilterSet):
    """Filters on links to other rows take plain ids. django-filter would otherwise check the
    id against every row in the table, answering differently for a matter that exists but is
    not yours than for one that does not exist."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": django_filters.NumberFilter},
        models.OneToOneField: {"filter_class": django_filters.NumberFilter},
    }


class ScopedFilterBackend(DjangoFilterBackend):
    filterset_base = ScopedFilterSet
