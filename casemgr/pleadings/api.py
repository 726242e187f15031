from __future__ import annotations

import django_filters
from rest_framework import serializers

from casemgr.core.api import MatterRecordSerializer, MatterScopedViewSet
from casemgr.core.filters import ScopedFilterSet
from casemgr.pleadings.models import Allegation, Claim


class ClaimSerializer(MatterRecordSerializer):
    class Meta:
        model = Claim
        fields = ["id", "proceeding", "cause_of_action", "claimants", "defendants", "relief_sought"]

    def validate(self, data):
        claimants = set(
            data.get("claimants", self.instance.claimants.all() if self.instance else [])
        )
        defendants = set(
            data.get("defendants", self.instance.defendants.all() if self.instance else [])
        )
        if claimants & defendants:
            raise serializers.ValidationError("A party cannot be both claimant and defendant.")
        return data


class ClaimFilter(ScopedFilterSet):
    matter = django_filters.NumberFilter(field_name="proceeding__matter")

    class Meta:
        model = Claim
        fields = ["matter", "proceeding"]


class ClaimViewSet(MatterScopedViewSet):
    queryset = Claim.objects.select_related("proceeding__matter").prefetch_related(
        "claimants", "defendants"
    )
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    search_fields = ["cause_of_action"]
    parent_field = "proceeding"


class AllegationSerializer(MatterRecordSerializer):
    class Meta:
        model = Allegation
        fields = ["id", "claim", "paragraph", "text", "against", "response", "response_note"]


class AllegationFilter(ScopedFilterSet):
    matter = django_filters.NumberFilter(field_name="claim__proceeding__matter")

    class Meta:
        model = Allegation
        fields = ["matter", "claim", "response", "against"]


class AllegationViewSet(MatterScopedViewSet):
    queryset = Allegation.objects.select_related("claim__proceeding__matter")
    serializer_class = AllegationSerializer
    filterset_class = AllegationFilter
    search_fields = ["paragraph", "text"]
    ordering_fields = ["paragraph_sort"]
    parent_field = "claim"
