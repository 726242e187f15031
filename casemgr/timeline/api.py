"""The chronology through the REST API: events, evidence links, and the timeline itself."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.generics import GenericAPIView

from casemgr.access import policy
from casemgr.core.api import (
    MatterRecordSerializer,
    MatterScopedViewSet,
    QuerySerializer,
    UTCDateTimeField,
)
from casemgr.core.filters import IdFilter, ScopedFilterSet
from casemgr.evidence.models import Exhibit
from casemgr.matters.models import Matter
from casemgr.timeline import selectors, services
from casemgr.timeline.models import Event, EvidenceLink

ABOVE_CLEARANCE = "You may not designate above your own clearance."


# --- Events ----------------------------------------------------------------------------------


class EventSerializer(MatterRecordSerializer):
    date_display = serializers.CharField(
        read_only=True,
        help_text="The date as the chronology prints it: “3 March 2026”, “March 2026”, "
        "“about 3 March 2026”, “3–5 November 2025”.",
    )
    occurred_at_local = serializers.SerializerMethodField(
        help_text="The time in the event's own time zone, with its UTC offset."
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "matter",
            "date",
            "precision",
            "date_end",
            "date_display",
            "occurred_at",
            "occurred_at_local",
            "time_zone",
            "title",
            "description",
            "parties",
            "people",
            "allegations",
            "status",
            "kind",
            "designation",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_occurred_at_local(self, event: Event) -> str | None:
        local = event.local_time
        return local.isoformat() if local else None

    def validate(self, data):
        designation = data.get("designation")
        if designation is not None:
            matter = data.get("matter") or getattr(self.instance, "matter", None)
            cleared = policy.clearance(self.context["request"].user, matter)
            if cleared is None or designation > cleared:
                raise serializers.ValidationError({"designation": [ABOVE_CLEARANCE]})
        return data


class EventFilter(ScopedFilterSet):
    party = IdFilter(field_name="parties", help_text="Events this party was involved in.")
    person = IdFilter(field_name="people", help_text="Events this person was involved in.")
    allegation = IdFilter(field_name="allegations", help_text="Events bearing on it.")
    date_from = django_filters.DateFilter(
        field_name="date_last", lookup_expr="gte", help_text="Events with a day on or after."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Events with a day on or before."
    )

    class Meta:
        model = Event
        fields = [
            "matter",
            "status",
            "kind",
            "precision",
            "designation",
            "party",
            "person",
            "allegation",
            "date_from",
            "date_to",
        ]


class EventViewSet(MatterScopedViewSet):
    """The chronology's events you may see: membership and clearance both apply. Lists are in
    date order (see casemgr/timeline/dates.py for how months, years and ranges sort)."""

    queryset = Event.objects.prefetch_related("parties", "people", "allegations")
    serializer_class = EventSerializer
    filterset_class = EventFilter
    search_fields = ["title", "description"]
    ordering_fields = ["sort_key", "created_at"]

    @staticmethod
    def save_service(*, instance, actor, request, m2m):
        return services.event_save(event=instance, actor=actor, request=request, m2m=m2m)


# --- Evidence links --------------------------------------------------------------------------


class EvidenceLinkSerializer(MatterRecordSerializer):
    reference = serializers.CharField(
        source="exhibit.reference", read_only=True, help_text="The exhibit's reference."
    )
    pinpoint = serializers.CharField(
        read_only=True, help_text="As a court document cites it, e.g. “pp. 12–14, 19; para 4”."
    )
    preview_url = serializers.CharField(
        read_only=True,
        help_text="The file's PDF preview, opened at the first page cited; empty without a file.",
    )

    class Meta:
        model = EvidenceLink
        fields = [
            "id",
            "matter",
            "exhibit",
            "reference",
            "exhibit_file",
            "pages",
            "paragraphs",
            "pinpoint",
            "allegation",
            "event",
            "stance",
            "note",
            "preview_url",
            "created_at",
        ]
        read_only_fields = ["matter", "created_at"]

    def validate(self, data):
        # A link belongs to its exhibit's matter (and stays with its exhibit).
        if self.instance is None and data.get("exhibit") is not None:
            data["matter"] = data["exhibit"].matter
        # ...and with what it is pinned to: pointing it elsewhere would silently change what
        # a paragraph's proof says. Pin the exhibit there with a new link instead.
        if self.instance is not None:
            moved = {
                name: ["A link cannot be moved; create a new one."]
                for name in ("allegation", "event")
                if name in data and data[name] != getattr(self.instance, name)
            }
            if moved:
                raise serializers.ValidationError(moved)
        return data


class EvidenceLinkFilter(ScopedFilterSet):
    class Meta:
        model = EvidenceLink
        fields = ["matter", "exhibit", "exhibit_file", "allegation", "event", "stance"]


class EvidenceLinkViewSet(mixins.DestroyModelMixin, MatterScopedViewSet):
    """Exhibits pinned to allegations and events. A link exists for you only if you may see
    its exhibit, and its event where it has one.

    Unlike the file's records, a link may be deleted: it is the team's reading of the
    evidence, not evidence. The exhibit stays, and the audit trail keeps what the link said."""

    queryset = EvidenceLink.objects.select_related("exhibit")
    serializer_class = EvidenceLinkSerializer
    filterset_class = EvidenceLinkFilter
    search_fields = ["note"]
    ordering_fields = ["created_at"]
    parent_field = "exhibit"
    fixed_fields = ("allegation", "event")  # EvidenceLinkSerializer.validate

    @staticmethod
    def save_service(*, instance, actor, request, m2m):
        return services.evidence_link_save(link=instance, actor=actor, request=request)

    def perform_destroy(self, instance) -> None:
        services.evidence_link_remove(link=instance, actor=self.request.user, request=self.request)


# --- The timeline ----------------------------------------------------------------------------


class TimelineQuerySerializer(QuerySerializer):
    """The timeline's filters; each one narrows the list, and all of them apply together."""

    allegation = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Events bearing on it."
    )
    claim = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Events bearing on any of its allegations.",
    )
    party = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Events it was involved in."
    )
    person = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Events they were involved in."
    )
    status = serializers.ChoiceField(
        choices=Event.Status.choices, required=False, help_text="Agreed, disputed or unknown."
    )
    document_type = serializers.ChoiceField(
        choices=Exhibit.DocumentType.choices,
        required=False,
        help_text="Events with an exhibit of this type (among those you may see).",
    )
    date_from = serializers.DateField(required=False, help_text="Entries with a day on or after.")
    date_to = serializers.DateField(required=False, help_text="Entries with a day on or before.")
    kind = serializers.ChoiceField(
        choices=Event.Kind.choices,
        required=False,
        help_text="Facts only, or procedural entries only (hearings and deadlines among them).",
    )

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": ["The range ends before it starts."]})
        return data


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TimelineAllegationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    paragraph = serializers.CharField()
    claim = serializers.IntegerField(source="claim_id")


class TimelineEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exhibit = serializers.IntegerField(source="exhibit_id")
    reference = serializers.CharField(source="exhibit.reference")
    title = serializers.CharField(source="exhibit.title")
    document_type = serializers.ChoiceField(
        source="exhibit.document_type", choices=Exhibit.DocumentType.choices
    )
    file = serializers.IntegerField(
        source="exhibit_file_id", allow_null=True, help_text="The file the pinpoint is in."
    )
    pages = serializers.CharField()
    paragraphs = serializers.CharField()
    pinpoint = serializers.CharField()
    stance = serializers.ChoiceField(choices=EvidenceLink.Stance.choices)
    note = serializers.CharField()
    preview_url = serializers.CharField(
        help_text="The file's PDF preview at the first page cited; empty without a file."
    )


class TimelineItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=selectors.ITEM_TYPES,
        help_text="An event of the chronology, or a hearing or deadline from its own table.",
    )
    id = serializers.IntegerField(help_text="The id of the event, hearing or deadline.")
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    date = serializers.DateField(help_text="The first day of the entry's period.")
    precision = serializers.ChoiceField(choices=Event.Precision.choices)
    date_end = serializers.DateField(allow_null=True, help_text="The last day of a range.")
    date_display = serializers.CharField()
    at = UTCDateTimeField(allow_null=True, help_text="The instant of a timed entry, in UTC.")
    at_local = serializers.SerializerMethodField(
        help_text="The same instant in `time_zone` (the event's, or the court's)."
    )
    time_zone = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField(help_text="Agreed, disputed or unknown (events only).")
    record_status = serializers.CharField(
        help_text="The hearing's or deadline's own status (e.g. listed, heard, open, done)."
    )
    designation = serializers.IntegerField()
    proceeding = serializers.IntegerField(source="proceeding_id", allow_null=True)
    parties = NamedSerializer(many=True)
    people = NamedSerializer(many=True)
    allegations = TimelineAllegationSerializer(many=True)
    evidence = TimelineEvidenceSerializer(
        many=True, help_text="The exhibits behind the event that you may see, with pinpoints."
    )

    def get_at_local(self, item) -> str | None:
        local = item.local_time
        return local.isoformat() if local else None


class TimelineView(GenericAPIView):
    """The matter's chronology in date order: its events, with the hearings and deadlines of
    its proceedings as procedural entries. Each event brings its parties, people, the
    allegations it bears on and the exhibits behind it (only those you may see), with
    pinpoints. A filter on allegations, claims, parties, people, status or exhibit type
    leaves hearings and deadlines out, since they have none of these."""

    serializer_class = TimelineItemSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[TimelineQuerySerializer],
        responses=TimelineItemSerializer(many=True),
        summary="The matter's chronology",
    )
    def get(self, request, matter_pk: int):
        matter = policy.get_visible_or_404(Matter.objects.all(), request=request, pk=matter_pk)
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        timeline = selectors.timeline_for(
            matter=matter,
            user=request.user,
            filters=selectors.TimelineFilters(**query.validated_data),
        )
        page = self.paginate_queryset(timeline)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
