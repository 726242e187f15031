from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    """The Django admin sees every matter and writes around the audited services, so it is
    for superusers keeping reference data (courts, jurisdictions) and repairing records,
    never for ordinary staff: the `is_staff` flag alone does not open it."""

    site_header = "casemgr administration"
    site_title = "casemgr administration"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class CasemgrAdminConfig(AdminConfig):
    default_site = "casemgr.core.admin_site.SuperuserAdminSite"
