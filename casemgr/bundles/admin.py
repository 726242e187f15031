from django.contrib import admin

from casemgr.bundles.models import Bundle, Version


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["title", "letter", "matter", "proceeding", "audience", "created_at"]
    list_filter = ["audience"]
    search_fields = ["title"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    """Versions are built and published by the bundle worker; here they are only read."""

    list_display = ["bundle", "number", "status", "page_count", "served_at", "requested_at"]
    list_filter = ["status"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # A deleted served version would silently change which page numbers later builds keep.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False
