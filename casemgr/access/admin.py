from django.contrib import admin

from casemgr.access.models import AuditEvent, MatterMembership


@admin.register(MatterMembership)
class MatterMembershipAdmin(admin.ModelAdmin):
    list_display = ["matter", "user", "role", "clearance", "added_at"]
    list_filter = ["role", "clearance"]
    search_fields = ["user__username", "user__email", "matter__reference", "matter__title"]
    autocomplete_fields = ["user", "matter"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = [
        "at",
        "action",
        "actor_label",
        "matter",
        "object_type",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
