from __future__ import annotations

from rest_framework import serializers, viewsets

from casemgr.access.models import MatterMembership


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = MatterMembership
        fields = ["id", "matter", "username", "name", "role", "clearance"]


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Who is on each of your matters, with their role and clearance."""

    serializer_class = MembershipSerializer
    filterset_fields = ["matter", "role"]

    def get_queryset(self):
        return MatterMembership.objects.visible_to(self.request.user).select_related("user")
