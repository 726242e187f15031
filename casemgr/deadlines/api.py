from __future__ import annotations

import zoneinfo

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from casemgr.core.api import (
    JSONObjectField,
    MatterRecordSerializer,
    MatterScopedViewSet,
    VisibleRelatedField,
)
from casemgr.core.filters import IdFilter, ScopedFilterSet
from casemgr.deadlines import engine, services
from casemgr.deadlines.models import Deadline, TriggerEvent
from casemgr.matters.models import Proceeding


class ComputedDeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    citation = serializers.CharField()
    due_date = serializers.DateField()
    due_time = serializers.TimeField(allow_null=True)
    derivation = serializers.CharField()


class ComputeRequestSerializer(serializers.Serializer):
    rules = serializers.ChoiceField(
        choices=["cpr", "frcp"],
        required=False,
        help_text="The rule set; not needed when `proceeding` is given.",
    )
    proceeding = VisibleRelatedField(
        queryset=Proceeding.objects.select_related("court__jurisdiction"),
        required=False,
        help_text="Use this proceeding's court: its rules, holidays, closures and time zone.",
    )
    time_zone = serializers.CharField(
        required=False,
        help_text="The court's zone where only `rules` is given (default Europe/London for "
        "cpr, America/New_York for frcp).",
    )
    event = serializers.CharField()
    at = serializers.DateTimeField(
        help_text="When it happened, with its UTC offset (e.g. 2026-11-27T16:45:00+00:00)."
    )
    method = serializers.CharField(required=False, allow_blank=True, default="")
    options = serializers.DictField(
        required=False,
        default=dict,
        help_text="Details some rules need, as the rule set names them (e.g. acknowledged, "
        "country, days, notice_clear_days, waiver_abroad); unknown ones are refused.",
    )

    def validate(self, data):
        if not data.get("rules") and not data.get("proceeding"):
            raise serializers.ValidationError("Give `rules` (cpr or frcp) or a `proceeding`.")
        zone = data.get("time_zone")
        if zone and zone not in zoneinfo.available_timezones():
            raise serializers.ValidationError({"time_zone": "Not an IANA time zone."})
        return data


class DeadlinesComputeView(APIView):
    """Quick check: the deadlines a trigger would produce, without saving anything."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ComputeRequestSerializer,
        responses=ComputedDeadlineSerializer(many=True),
        summary="Compute deadlines from a trigger event without saving",
    )
    def post(self, request):
        query = ComputeRequestSerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data.get("proceeding") is not None:
            results = services.deadlines_compute(
                proceeding=data["proceeding"],
                trigger=TriggerEvent(
                    proceeding=data["proceeding"],
                    event=data["event"],
                    occurred_at=data["at"],
                    method=data["method"],
                    options=data["options"],
                ),
            )
        else:
            trigger = engine.Trigger(
                event=data["event"], at=data["at"], method=data["method"], options=data["options"]
            )
            try:
                results = services.deadlines_check(
                    rules=data["rules"], trigger=trigger, time_zone=data.get("time_zone", "")
                )
            except engine.RuleError as error:
                raise serializers.ValidationError({"non_field_errors": [str(error)]}) from error
        return Response(ComputedDeadlineSerializer(results, many=True).data)


class TriggerEventSerializer(MatterRecordSerializer):
    # An object of option values, as the compute endpoint takes them; the rule set then
    # judges each option (unknown ones and bad values are refused by name).
    options = JSONObjectField(
        required=False,
        default=dict,
        help_text="Details some rules need, as the rule set names them.",
    )
    deadlines = serializers.SerializerMethodField(
        help_text="Ids of the deadlines it produced that you may see."
    )

    class Meta:
        model = TriggerEvent
        fields = [
            "id",
            "proceeding",
            "event",
            "occurred_at",
            "method",
            "options",
            "note",
            "deadlines",
        ]

    def get_deadlines(self, trigger: TriggerEvent) -> list[int]:
        visible = getattr(trigger, "visible_deadlines", None)  # prefetched for lists
        if visible is None:  # one just saved
            user = self.context["request"].user
            visible = Deadline.objects.visible_to(user).filter(trigger=trigger)
        return [deadline.pk for deadline in visible]


class TriggerEventViewSet(MatterScopedViewSet):
    """Triggers: saving one computes (or recomputes) its deadlines."""

    queryset = TriggerEvent.objects.select_related("proceeding__court__jurisdiction")
    serializer_class = TriggerEventSerializer
    filterset_fields = ["proceeding", "event"]
    ordering_fields = ["occurred_at"]
    parent_field = "proceeding"

    def get_queryset(self):
        visible = Deadline.objects.visible_to(self.request.user).only("pk", "trigger")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("deadlines", queryset=visible, to_attr="visible_deadlines"))
        )

    @staticmethod
    def save_service(*, instance, actor, request, m2m):
        return services.trigger_record(trigger=instance, actor=actor, request=request)


class DeadlineSerializer(MatterRecordSerializer):
    class Meta:
        model = Deadline
        fields = [
            "id",
            "proceeding",
            "title",
            "due_date",
            "due_time",
            "citation",
            "derivation",
            "trigger",
            "computed_date",
            "edited_by_hand",
            "responsible",
            "status",
            "designation",
            "notes",
        ]
        read_only_fields = ["derivation", "trigger", "computed_date", "edited_by_hand"]
        extra_kwargs = {"responsible": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        # Members are users, not matter records; the service checks they are on the matter.
        # Only people who share a matter with the caller are offered, so ids of others
        # cannot be probed.
        user = getattr(self.context.get("request"), "user", None)
        people = Deadline.responsible.field.related_model.objects.filter(is_active=True)
        if user is not None and user.is_authenticated:
            people = people.filter(memberships__matter__memberships__user=user).distinct()
        else:
            people = people.none()
        fields["responsible"] = serializers.PrimaryKeyRelatedField(
            many=True, required=False, queryset=people
        )
        return fields


class DeadlineFilter(ScopedFilterSet):
    matter = IdFilter(field_name="proceeding__matter")

    class Meta:
        model = Deadline
        fields = ["matter", "proceeding", "status", "trigger"]


class DeadlineViewSet(MatterScopedViewSet):
    queryset = Deadline.objects.select_related(
        "proceeding__court__jurisdiction", "proceeding__matter"
    ).prefetch_related("responsible")
    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter
    search_fields = ["title", "citation"]
    ordering_fields = ["due_date"]
    parent_field = "proceeding"

    @staticmethod
    def save_service(*, instance, actor, request, m2m):
        return services.deadline_save(
            deadline=instance, actor=actor, request=request, responsible=m2m.get("responsible")
        )
