from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError

from casemgr.core.api import MatterRecordSerializer, MatterScopedViewSet, api_validation_error
from casemgr.core.filters import IdFilter, ScopedFilterSet
from casemgr.pleadings.models import Allegation, Claim, validate_claim_parties


class ClaimSerializer(MatterRecordSerializer):
    class Meta:
        model = Claim
        fields = ["id", "proceeding", "cause_of_action", "claimants", "defendants", "relief_sought"]

    def validate(self, data):
        current = self.instance
        try:
            validate_claim_parties(
                data.get("claimants", current.claimants.all() if current else []),
                data.get("defendants", current.defendants.all() if current else []),
            )
        except DjangoValidationError as error:
            raise api_validation_error(error) from error
        return data


class ClaimFilter(ScopedFilterSet):
    matter = IdFilter(field_name="proceeding__matter")

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
    matter = IdFilter(field_name="claim__proceeding__matter")

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
