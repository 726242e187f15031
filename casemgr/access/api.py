from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from casemgr.access.audit import audit_record
from casemgr.access.models import AuditAction, MatterMembership
from casemgr.core.api import AuditedLookupMixin


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = MatterMembership
        fields = ["id", "matter", "username", "name", "role", "clearance"]


class MembershipViewSet(AuditedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Who is on each of your matters, with their role and clearance."""

    serializer_class = MembershipSerializer
    filterset_fields = ["matter", "role"]
    ordering_fields = ["role", "clearance", "user__username"]

    def get_queryset(self):
        return MatterMembership.objects.visible_to(self.request.user).select_related("user")


class TokenRequestSerializer(AuthTokenSerializer):
    # Django's own limit, checked before the sign-in is attempted (and recorded).
    username = serializers.CharField(label="Username", max_length=150, write_only=True)


class ObtainAuditedToken(ObtainAuthToken):
    """POST username and password, get the token for `Authorization: Token …`.

    Handing out a token is a sign-in, and is audited as one (a failure already is, through
    Django's user_login_failed signal)."""

    serializer_class = TokenRequestSerializer
    # The username and password are the credentials: no other is read (a stale token sent
    # along does not turn a sign-in into a 401), and the schema asks for none.
    authentication_classes = ()

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        audit_record(
            action=AuditAction.SIGN_IN, request=request, actor=user, detail={"method": "api token"}
        )
        return Response({"token": token.key})
