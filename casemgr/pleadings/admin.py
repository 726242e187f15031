from django.contrib import admin

from casemgr.pleadings.models import Allegation, Claim


class AllegationInline(admin.StackedInline):
    model = Allegation
    extra = 0
    fields = ["paragraph", "text", "against", "response", "response_note"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["cause_of_action", "proceeding"]
    search_fields = ["cause_of_action"]
    filter_horizontal = ["claimants", "defendants"]
    inlines = [AllegationInline]


@admin.register(Allegation)
class AllegationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "against", "response"]
    list_filter = ["response"]
    search_fields = ["paragraph", "text"]
