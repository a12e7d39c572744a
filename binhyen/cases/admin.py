from django.contrib import admin

from binhyen.cases.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("code", "unit", "intent", "status", "opened_at", "last_message_at")
    list_filter = ("status", "intent")
    search_fields = ("code", "summary")
    fields = (
        "code",
        "unit",
        "intent",
        "category",
        "urgency",
        "status",
        "summary",
        "assigned_to",
        "opened_at",
        "closed_at",
    )
    readonly_fields = ("code", "opened_at", "closed_at")
    autocomplete_fields = ("unit", "assigned_to")
