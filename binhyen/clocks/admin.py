from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.accounts.access import Cap
from binhyen.accounts.admin import ReadOnlyAdmin, UnitScopedAdmin
from binhyen.clocks.models import CalendarDay, CaseClock, ClockRule


@admin.register(ClockRule)
class ClockRuleAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "kind",
        "amount",
        "unit",
        "end_of_day",
        "roll_to_working_day",
        "citation_vi",
        "active",
    )
    list_filter = ("kind", "active")
    search_fields = ("code", "citation_vi", "description_vi")
    fieldsets = (
        (
            None,
            {"fields": ("code", "kind", "family", "description_vi", "description_en", "active")},
        ),
        ("Thời hạn", {"fields": ("amount", "unit", "end_of_day", "roll_to_working_day")}),
        ("Căn cứ", {"fields": ("citation_vi", "citation_en")}),
        (
            "Gia hạn, tạm đình chỉ",
            {
                "fields": (
                    "extends",
                    "anchor",
                    "pausable",
                    "restart_on_resume",
                    "starts_on",
                    "repeat",
                    "not_when_anonymous",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Codes are a contract with the case workflow; a rule is switched off, not renamed.
        return ("code", "family") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(CaseClock)
class CaseClockAdmin(ReadOnlyAdmin, UnitScopedAdmin):
    scope_cap = Cap.CASE_READ
    unit_field = "case__unit"
    list_display = (
        "case",
        "rule_code",
        "kind",
        "state",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
    )
    list_filter = ("state", "kind", "rule_code")
    search_fields = ("case__code",)
    date_hierarchy = "due_at"
    list_select_related = ("case",)

    # Clocks change only through the services (and so leave a timeline): ReadOnlyAdmin.
