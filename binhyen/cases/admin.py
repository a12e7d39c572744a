from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from binhyen.accounts.access import Cap
from binhyen.accounts.admin import ReadOnlyAdmin, UnitScopedAdmin
from binhyen.cases.models import Case
from binhyen.vault.services import case_view_record


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin, UnitScopedAdmin):
    """Cases are read here, never changed: moving, closing or rewriting a case goes through
    the services (console, API), which write the timeline and the audit chain."""

    scope_cap = Cap.CASE_READ
    list_display = ("code", "unit", "intent", "status", "opened_at", "last_message_at")
    list_filter = ("status", "intent")
    search_fields = ("code",)
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

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        case = self.get_queryset(request).filter(pk=object_id).first()
        if case is not None:  # the same audited read as the console's case page
            case_view_record(case=case, user=request.user, request=request)  # type: ignore[arg-type]
        return response
