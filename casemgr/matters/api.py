from __future__ import annotations

from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from casemgr.access import policy
from casemgr.core.api import MatterRecordSerializer, MatterScopedViewSet
from casemgr.core.filters import IdFilter, InstantFilter, ScopedFilterSet
from casemgr.matters import selectors, services
from casemgr.matters.models import Court, Hearing, Jurisdiction, Matter, Party, Person, Proceeding


class JurisdictionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jurisdiction
        fields = ["id", "code", "name", "time_zone", "holiday_calendar", "rule_set"]


class CourtSerializer(serializers.ModelSerializer):
    time_zone = serializers.SerializerMethodField()

    class Meta:
        model = Court
        fields = ["id", "name", "division", "jurisdiction", "time_zone"]

    def get_time_zone(self, court: Court) -> str:
        return court.zone.key


class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data: the legal systems casemgr knows."""

    queryset = Jurisdiction.objects.all()
    serializer_class = JurisdictionSerializer
    pagination_class = None


class CourtViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data: courts, each in one jurisdiction and time zone."""

    queryset = Court.objects.select_related("jurisdiction")
    serializer_class = CourtSerializer
    filterset_fields = ["jurisdiction"]
    search_fields = ["name", "division"]


class MatterSerializer(MatterRecordSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Matter
        fields = ["id", "reference", "title", "status", "description", "opened_on", "my_role"]

    def get_my_role(self, matter: Matter) -> str | None:
        if hasattr(matter, "my_role"):  # annotated by selectors.matters_with_role
            return matter.my_role
        found = policy.membership(self.context["request"].user, matter)
        return found.role if found else None


class MatterViewSet(MatterScopedViewSet):
    """Matters the signed-in user is a member of. Opening one makes you its partner."""

    queryset = Matter.objects.all()
    serializer_class = MatterSerializer
    filterset_fields = ["status"]
    search_fields = ["reference", "title"]
    ordering_fields = ["reference", "opened_on", "title"]
    parent_field = "pk"

    def get_queryset(self):
        user = self.request.user
        return selectors.matters_with_role(user=user)

    def perform_create(self, serializer) -> None:
        if not policy.can_open_matter(self.request.user):
            raise PermissionDenied("Only firm staff may open matters.")
        serializer.instance = services.matter_open(
            actor=self.request.user,
            request=self.request,
            matter=Matter(**serializer.validated_data),
        )


class CountryCodeField(CountryField):
    """A country as the schema lists it, its ISO code (or "" for none): django-countries
    would also read a name, an object with a code, or `false` as none."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or (data and self.countries.alpha2(data) != data):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class PartySerializer(CountryFieldMixin, MatterRecordSerializer):
    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class is CountryField:
            field_class = CountryCodeField
        return field_class, field_kwargs

    class Meta:
        model = Party
        fields = [
            "id",
            "matter",
            "name",
            "kind",
            "role",
            "country",
            "parent",
            "solicitors",
            "counsel",
        ]


class PartyViewSet(MatterScopedViewSet):
    queryset = Party.objects.select_related("parent")
    serializer_class = PartySerializer
    filterset_fields = ["matter", "role", "kind", "parent"]
    search_fields = ["name", "solicitors"]
    ordering_fields = ["name", "role"]


class PersonSerializer(MatterRecordSerializer):
    class Meta:
        model = Person
        fields = ["id", "matter", "name", "organisation", "role", "party", "notes"]


class PersonViewSet(MatterScopedViewSet):
    """The dramatis personae."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_fields = ["matter", "party"]
    search_fields = ["name", "organisation", "role"]
    ordering_fields = ["name"]


class ProceedingSerializer(MatterRecordSerializer):
    court = serializers.PrimaryKeyRelatedField(queryset=Court.objects.all())

    class Meta:
        model = Proceeding
        fields = [
            "id",
            "matter",
            "court",
            "case_number",
            "title",
            "our_side",
            "status",
            "issued_on",
        ]


class ProceedingViewSet(MatterScopedViewSet):
    queryset = Proceeding.objects.select_related("court")
    serializer_class = ProceedingSerializer
    filterset_fields = ["matter", "court", "status"]
    search_fields = ["case_number", "title"]
    ordering_fields = ["issued_on", "case_number"]


class HearingSerializer(MatterRecordSerializer):
    starts_at_local = serializers.SerializerMethodField(
        help_text="The start in the court's time zone, with its UTC offset."
    )
    time_zone = serializers.SerializerMethodField(help_text="The court's IANA time zone.")

    class Meta:
        model = Hearing
        fields = [
            "id",
            "proceeding",
            "kind",
            "title",
            "starts_at",
            "starts_at_local",
            "time_zone",
            "time_estimate",
            "venue",
            "remote_link",
            "status",
        ]

    def get_starts_at_local(self, hearing: Hearing) -> str:
        return hearing.local_start.isoformat()

    def get_time_zone(self, hearing: Hearing) -> str:
        return hearing.proceeding.court.zone.key


class HearingFilter(ScopedFilterSet):
    matter = IdFilter(field_name="proceeding__matter")
    starts_after = InstantFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = InstantFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Hearing
        fields = ["matter", "proceeding", "kind", "status", "starts_after", "starts_before"]


class HearingViewSet(MatterScopedViewSet):
    queryset = Hearing.objects.select_related(
        "proceeding__court__jurisdiction", "proceeding__matter"
    )
    serializer_class = HearingSerializer
    filterset_class = HearingFilter
    ordering_fields = ["starts_at"]
    parent_field = "proceeding"
    save_service = staticmethod(services.hearing_save)
