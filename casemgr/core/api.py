"""Base classes for the REST API of every app: scoping, permissions and audited writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated

from casemgr.access import policy
from casemgr.access.permissions import MatterRolePermission
from casemgr.core.services import record_save


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to another matter-scoped row, which must be one the user can see. An invisible
    row is reported exactly like a missing one."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)


class MatterRecordSerializer(serializers.ModelSerializer):
    serializer_related_field = VisibleRelatedField


class MatterScopedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change one kind of matter record, as the user may.

    Records are not deleted through the API: a litigation file keeps its history.
    `parent_field` names the link to the matter (or to the row that holds it), which cannot
    be changed once the record exists.
    """

    permission_classes = [IsAuthenticated, MatterRolePermission]
    parent_field = "matter"

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            policy.audit_denied(
                self.request,
                queryset=self.queryset.model._base_manager.all(),
                lookup={"pk": self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)},
            )
            raise

    def perform_create(self, serializer) -> None:
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer) -> None:
        new_parent = serializer.validated_data.get(self.parent_field)
        if new_parent is not None and new_parent != getattr(serializer.instance, self.parent_field):
            raise serializers.ValidationError(
                {self.parent_field: "A record cannot be moved once it exists."}
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
        try:
            record_save(instance=instance, actor=self.request.user, request=self.request, m2m=m2m)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        serializer.instance = instance
