"""Read-only admin view of the audit log: no adding, changing or deleting, ever."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from binhyen.audit.access import audit_scope_for
from binhyen.audit.models import AuditEntry


def _may_audit(request: HttpRequest) -> bool:
    try:
        audit_scope_for(request.user)
    except PermissionDenied:
        return False
    return True


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        # The same scope as the audit console: the entries of the subtrees one may audit.
        try:
            return audit_scope_for(request.user).entries()
        except PermissionDenied:
            return AuditEntry.objects.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and _may_audit(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
