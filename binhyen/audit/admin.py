"""Read-only admin view of the audit log: no adding, changing or deleting, ever."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "seq",
        "at",
        "action",
        "actor_username",
        "actor_unit_path",
        "target_type",
        "target_id",
        "summary",
    )
    list_filter = ("action",)
    search_fields = ("actor_username", "summary", "target_id")
    date_hierarchy = "at"
    ordering = ("-seq",)
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
