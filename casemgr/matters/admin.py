from django.contrib import admin

from casemgr.matters.models import Court, Hearing, Jurisdiction, Matter, Party, Person, Proceeding


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "holiday_calendar", "rule_set"]


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["name", "division", "jurisdiction", "time_zone"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "division"]


class ProceedingInline(admin.TabularInline):
    model = Proceeding
    extra = 0
    fields = ["court", "case_number", "title", "our_side", "status", "issued_on"]


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "status", "opened_on"]
    list_filter = ["status"]
    search_fields = ["reference", "title"]
    inlines = [ProceedingInline]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "matter", "role", "kind", "country", "parent"]
    list_filter = ["role", "kind"]
    search_fields = ["name", "matter__reference"]
    list_select_related = ["matter", "parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "matter", "organisation", "role", "party"]
    search_fields = ["name", "organisation"]
    list_select_related = ["matter", "party"]


@admin.register(Proceeding)
class ProceedingAdmin(admin.ModelAdmin):
    list_display = ["case_number", "title", "matter", "court", "status", "issued_on"]
    list_filter = ["status", "court__jurisdiction"]
    search_fields = ["case_number", "title"]
    list_select_related = ["matter", "court"]


@admin.register(Hearing)
class HearingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "proceeding", "status", "starts_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["proceeding__court__jurisdiction"]
