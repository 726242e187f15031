"""Base classes for the REST API of every app: scoping, permissions and audited writes."""

from __future__ import annotations

from datetime import UTC

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from casemgr.access import policy
from casemgr.access.permissions import MatterRolePermission
from casemgr.core.services import record_save


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to another matter-scoped row, which must be one the user can see. An invisible
    row is reported exactly like a missing one."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's own, with a list field the schema can describe (VisibleLinksSchema).
        links = {"child_relation": cls(*args, **kwargs)}
        links.update((key, kwargs[key]) for key in kwargs if key in MANY_RELATION_KWARGS)
        return VisibleLinksField(**links)


class VisibleLinksField(serializers.ManyRelatedField):
    """Links to several rows (a claim's claimants)."""


class VisibleLinksSchema(OpenApiSerializerFieldExtension):
    """drf-spectacular leaves out that a list of links may not be empty: `minItems`."""

    target_class = VisibleLinksField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not self.target.allow_empty:
            schema["minItems"] = 1
        return schema


class TextField(serializers.CharField):
    """Text, given as a JSON string: DRF's own field takes a number or a boolean and stores
    its digits, where the schema says a string. Its limit counts what was sent, white space
    around it included (as the schema's maxLength does), not what is left once trimmed."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class UTCDateTimeField(serializers.DateTimeField):
    """Instants in the API are UTC ("…Z"), whatever the server's zone; local times are
    separate, named fields (e.g. a hearing's starts_at_local)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(*args, **kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$", "example": "16:00:00"}
)
class LocalTimeField(serializers.TimeField):
    """A time of day where the court sits (a rule's 4pm), with no offset. The schema gives
    its shape rather than the "time" format, which JSON Schema reads as an RFC 3339 time
    with an offset ("16:00:00Z") that this value never has."""


class JSONValueField(serializers.JSONField):
    """A JSON column. A form or multipart field holding the text `null` parses to None after
    the field's own null check has run, so a NOT NULL column would reach the database with
    it: refuse it here, as the null check would have."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is None and not self.allow_null:
            self.fail("null")
        return value


class JSONObjectField(JSONValueField):
    """A JSON object (name → value), from JSON, form or multipart input alike."""

    default_error_messages = {"not_an_object": "Give an object of names and values."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_an_object")
        return value


class QuerySerializer(serializers.Serializer):
    """Query parameters read by a serializer. One given with no value (`?date_from=`) is
    refused, as an empty filter is (core.filters), where DRF would read it as a form's empty
    field, not given: the schema says what a value must be (empty text still is one). A
    page's form, which sends its empty fields, says so: `context={"form": True}`."""

    def to_internal_value(self, data):
        if self.context.get("form"):
            return super().to_internal_value(data)
        lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
        empty = {
            name: ["Give a value, or leave the parameter out."]
            for name, given in lists
            if "" in given
            and name in self.fields
            and not isinstance(self.fields[name], serializers.CharField)
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class MatterRecordSerializer(serializers.ModelSerializer):
    serializer_related_field = VisibleRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
        models.TimeField: LocalTimeField,
        models.JSONField: JSONValueField,
        models.CharField: TextField,
        models.TextField: TextField,
    }


def exception_handler(exc, context):
    """DRF's handler, which also answers a model's ValidationError raised by a service (a
    `full_clean` the serializer did not foresee) as the 400 it is, naming the field, instead
    of a server error."""
    if isinstance(exc, DjangoValidationError):
        exc = api_validation_error(exc)
    return drf_exception_handler(exc, context)


def api_validation_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A model's ValidationError in the API's shape: lists per field, `non_field_errors`."""
    detail = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(detail)


class AuditedLookupMixin:
    """A detail URL for a row the user may not see is a plain 404, and an audited one."""

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            policy.audit_denied(
                self.request,
                queryset=self.get_queryset().model._base_manager.all(),
                lookup={"pk": self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)},
            )
            # One answer for "not yours", "no such id" and "not an id at all".
            raise NotFound() from None


class MatterRecordViewSetMixin(AuditedLookupMixin):
    """Scoping, permissions and audited writes for a viewset of one kind of matter record.

    Records are not deleted through the API: a litigation file keeps its history (evidence
    links, the team's reading of the evidence, are the one exception: timeline/api.py).
    `parent_field` names the link to the matter (or to the row that holds it), which cannot
    be changed once the record exists.
    """

    permission_classes = [IsAuthenticated, MatterRolePermission]
    parent_field = "matter"
    # Fields a PUT or PATCH may not change (the schema marks them: core.schema).
    fixed_fields: tuple[str, ...] = ()

    @classmethod
    def fields_fixed_after_creation(cls) -> tuple[str, ...]:
        return (cls.parent_field, *cls.fixed_fields)

    save_service = staticmethod(record_save)  # see core.views.RecordFormMixin

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def perform_create(self, serializer) -> None:
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer) -> None:
        new_parent = serializer.validated_data.get(self.parent_field)
        if new_parent is not None and new_parent != getattr(serializer.instance, self.parent_field):
            raise serializers.ValidationError(
                {self.parent_field: ["A record cannot be moved once it exists."]}
            )
        self._save(serializer, serializer.instance)

    def _save(self, serializer, instance) -> None:
        data = dict(serializer.validated_data)
        m2m = {
            field.name: data.pop(field.name)
            for field in instance._meta.many_to_many
            if field.name in data
        }
        for name, value in data.items():
            setattr(instance, name, value)
        matter = policy.matter_of(instance)
        if not policy.can_edit(self.request.user, matter):
            policy.audit_forbidden(self.request, matter=matter, reason="read-only member")
            raise PermissionDenied("Your role on this matter is read-only.")
        # A model ValidationError from the service is a 400 by the exception handler above.
        self.save_service(instance=instance, actor=self.request.user, request=self.request, m2m=m2m)
        serializer.instance = instance


class MatterScopedViewSet(
    MatterRecordViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change one kind of matter record, as the user may."""
