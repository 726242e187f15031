from django.contrib import admin

from casemgr.deadlines.models import CourtClosure, Deadline, Reminder, TriggerEvent


@admin.register(CourtClosure)
class CourtClosureAdmin(admin.ModelAdmin):
    """Days a court office is closed beyond public holidays; deadlines there skip them.
    Deadlines already computed keep their dates until their trigger is saved again."""

    list_display = ["day", "court", "reason"]
    list_filter = ["court__jurisdiction", "court"]
    date_hierarchy = "day"


@admin.register(TriggerEvent)
class TriggerEventAdmin(admin.ModelAdmin):
    list_display = ["event", "occurred_at", "method", "proceeding"]
    list_filter = ["event"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["title", "due_date", "citation", "status", "proceeding", "edited_by_hand"]
    list_filter = ["status", "edited_by_hand"]
    search_fields = ["title", "citation"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["send_at", "user", "deadline", "hearing", "offset_days", "sent_at", "attempts"]
    list_filter = ["sent_at"]
    raw_id_fields = ["user", "deadline", "hearing"]
