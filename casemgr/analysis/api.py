"""Analyses of exhibit files through the REST API: create one, start it, follow it, cancel
it, read its results. An analysis exists for whoever may see its source exhibit (membership
and clearance, through access.policy); only editing roles create, start or cancel one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from casemgr.access import policy
from casemgr.access.permissions import MatterRolePermission
from casemgr.analysis import checks, logs, services
from casemgr.analysis.mapping import ROLES
from casemgr.analysis.models import Analysis
from casemgr.core.api import (
    AuditedLookupMixin,
    JSONObjectField,
    MatterRecordSerializer,
    UTCDateTimeField,
)
from casemgr.core.filters import ScopedFilterSet
from casemgr.evidence.models import ExhibitFile


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The analysis is not in a state that allows this."
    default_code = "conflict"


class AnalysisSerializer(MatterRecordSerializer):
    results_url = serializers.SerializerMethodField(
        help_text="Where the results are read once the analysis is done."
    )

    class Meta:
        model = Analysis
        fields = [
            "id",
            "matter",
            "source",
            "kind",
            "sha256",
            "mapping",
            "parameters",
            "status",
            "stage",
            "progress",
            "error",
            "cancel_requested",
            "attempts",
            "versions",
            "created_at",
            "started_at",
            "finished_at",
            "results_url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "source": {"help_text": "The exhibit file read."},
            "sha256": {"help_text": "SHA-256 of the bytes read, as stored."},
            "stage": {"help_text": "The engine's last stage reported while it runs."},
            "progress": {"help_text": "The share of the run done, from 0 to 1."},
            "error": {"help_text": "Why it failed or stopped; empty otherwise."},
            "attempts": {"help_text": "Runs started: more than one if a worker was lost."},
        }

    def get_results_url(self, analysis: Analysis) -> str:
        return reverse("analysis-results", kwargs={"pk": analysis.pk})


class MappingSerializer(serializers.Serializer):
    """Which column plays which role; a role not named is found from the file's header."""

    roles = serializers.DictField(
        child=serializers.CharField(max_length=300),
        required=False,
        help_text=f"Role → column name. Roles: {', '.join(ROLES)}.",
    )
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The zone of timestamps without an offset (IANA name); UTC if not given.",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict) and (unknown := sorted(set(data) - set(self.fields))):
            raise serializers.ValidationError(
                f"Unknown key {', '.join(map(repr, unknown))}; a mapping has roles and timezone."
            )
        return super().to_internal_value(data)


class AnalysisSettingsSerializer(serializers.Serializer):
    mapping = MappingSerializer(
        required=False, help_text="Log analyses only; checked against the file's columns."
    )
    parameters = JSONObjectField(
        required=False,
        help_text="Log analyses only; any of the engine's parameters, by name: "
        f"{', '.join(logs.Parameters.__dataclass_fields__)}.",
    )


class AnalysisCreateSerializer(AnalysisSettingsSerializer):
    source = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The exhibit file to read: CSV or JSON Lines for a log, JSON Lines for "
        "output pairs.",
    )
    kind = serializers.ChoiceField(choices=Analysis.Kind.choices)


class AnalysisResultsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Analysis.Kind.choices)
    sha256 = serializers.CharField(help_text="SHA-256 of the bytes the figures were made from.")
    mapping = serializers.JSONField()
    parameters = serializers.JSONField()
    versions = serializers.JSONField(help_text="The engine's and the libraries' versions.")
    finished_at = UTCDateTimeField()
    results = serializers.JSONField(
        help_text="The engine's figures (for a log: rows, flagged_accounts, flag_reasons, "
        "volumes, bursts, clusters, templates, totals…)."
    )


_REFUSAL = inline_serializer("AnalysisRefusal", {"detail": serializers.CharField()})


def _refusals(*codes: int) -> dict:
    described = {
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="A value was refused: each field with its reasons (an unknown role, a "
            "column the file does not have, an unknown parameter…).",
        ),
        403: OpenApiResponse(_REFUSAL, description="Not signed in, or a read-only role."),
        404: OpenApiResponse(
            _REFUSAL, description="No such analysis or file, or not one the user may see."
        ),
        409: OpenApiResponse(_REFUSAL, description="Not in a state that allows it."),
    }
    return {code: described[code] for code in codes}


class AnalysisFilter(ScopedFilterSet):
    class Meta:
        model = Analysis
        fields = ["matter", "source", "kind", "status"]


class AnalysisViewSet(
    AuditedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Analyses of exhibit files you may see: membership and clearance of the source exhibit
    both apply. `?matter=` lists one matter's. A run goes: create → start (queued) →
    running, with its stage and progress → done, failed or cancelled."""

    queryset = Analysis.objects.select_related("source")
    serializer_class = AnalysisSerializer
    permission_classes = [IsAuthenticated, MatterRolePermission]
    filterset_class = AnalysisFilter
    ordering_fields = ["created_at", "finished_at"]

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    @extend_schema(
        request=AnalysisCreateSerializer,
        responses={201: AnalysisSerializer, **_refusals(400, 403, 404)},
        summary="Create an analysis of an exhibit file",
    )
    def create(self, request):
        """The mapping and parameters are checked against the file and the engine; the
        analysis is created with status `new`, to be started."""
        form = AnalysisCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        given = form.validated_data
        source = policy.get_visible_or_404(
            ExhibitFile.objects.select_related("matter"), request=request, pk=given["source"]
        )
        if not policy.can_edit(request.user, source.matter):
            policy.audit_forbidden(request, matter=source.matter, reason="read-only member")
            raise PermissionDenied(MatterRolePermission.message)
        settings = {"mapping": given.get("mapping", {}), "parameters": given.get("parameters", {})}
        checks.check_settings(source=source, kind=given["kind"], **settings)
        analysis = services.analysis_create(
            source=source, kind=given["kind"], created_by=request.user, **settings
        )
        return Response(self.get_serializer(analysis).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AnalysisSettingsSerializer,
        responses={202: AnalysisSerializer, **_refusals(400, 403, 404, 409)},
        summary="Start (or run again) an analysis",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Queue the run, with the mapping and parameters given (or those it has). Answers
        at once; follow the analysis for its stage and progress. 409 while it runs."""
        analysis = self.get_object()
        form = AnalysisSettingsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        settings = {
            "mapping": form.validated_data.get("mapping", analysis.mapping),
            "parameters": form.validated_data.get("parameters", analysis.parameters),
        }
        checks.check_settings(source=analysis.source, kind=analysis.kind, **settings)
        try:
            services.analysis_start(analysis=analysis, actor=request.user, **settings)
        except ValidationError as refused:
            raise Conflict(refused.messages[0]) from None
        return Response(self.get_serializer(analysis).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={200: AnalysisSerializer, **_refusals(403, 404, 409)},
        summary="Cancel a queued or running analysis",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """A queued analysis is cancelled at once; a running one at its next progress report
        (`cancel_requested` is true meanwhile). 409 if it is not queued or running."""
        analysis = self.get_object()
        try:
            services.analysis_cancel(analysis=analysis, actor=request.user)
        except ValidationError as refused:
            raise Conflict(refused.messages[0]) from None
        return Response(self.get_serializer(analysis).data)

    @extend_schema(
        responses={200: AnalysisResultsSerializer, **_refusals(403, 404, 409)},
        summary="The results of a finished analysis",
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """The figures, with what they were made from. 409 until the analysis is done."""
        analysis = self.get_object()
        if analysis.status != Analysis.Status.DONE:
            raise Conflict(f"No results: the analysis is {analysis.get_status_display().lower()}.")
        return Response(AnalysisResultsSerializer(analysis).data)
