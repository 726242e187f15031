"""DRF permission classes: the API's side of access.policy."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from casemgr.access import policy


class MatterRolePermission(BasePermission):
    """Any member reads; only editing roles write. Objects reach here through
    `visible_to(user)`, so non-members have already had their 404."""

    message = "Your role on this matter is read-only."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        matter = policy.matter_of(obj)
        if policy.can_edit(request.user, matter):
            return True
        policy.audit_forbidden(request, matter=matter, obj=obj, reason="read-only member")
        return False
