"""The Django admin (/quan-tri/) under the same rules as the console.

- `ReadOnlyAdmin`: case-like records (cases, messages, timeline, tips, vault, audit, triage
  suggestions) are shown, never added, changed or deleted here: they change only through
  the services, which write the timeline and the audit chain.
- `UnitScopedAdmin`: a non-superuser sees only rows whose unit lies in a subtree where
  their role grants `scope_cap`; another unit's row is a 404 (recorded as access.denied),
  and unit choices in forms are limited to that subtree.

Superusers see everything (they are the break-glass accounts; every sign-in is audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from binhyen.accounts.access import Cap, has_cap_anywhere, sees_everything, unit_scope_q
from binhyen.audit.services import audit_access_denied
from binhyen.units.models import Unit


def scope_queryset(
    qs: QuerySet[Any], request: HttpRequest, *, prefix: str, cap: Cap
) -> QuerySet[Any]:
    if sees_everything(request.user):
        return qs
    return qs.filter(unit_scope_q(request.user, prefix=prefix, cap=cap)).distinct()


def unit_choices(request: HttpRequest, cap: Cap) -> QuerySet[Unit]:
    if sees_everything(request.user):
        return Unit.objects.all()
    return Unit.objects.filter(unit_scope_q(request.user, cap=cap))


class ReadOnlyAdmin(admin.ModelAdmin):
    actions: Any = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitScopedAdmin(admin.ModelAdmin):
    #: the path from this model to its Unit ("" when the model is the Unit)
    unit_field = "unit"
    #: the capability a role must grant over a subtree to see its rows here
    scope_cap: Cap = Cap.ACCOUNTS_MANAGE

    def _prefix(self) -> str:
        return f"{self.unit_field}__" if self.unit_field else ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_queryset(
            super().get_queryset(request), request, prefix=self._prefix(), cap=self.scope_cap
        )

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and has_cap_anywhere(user, self.scope_cap))

    # The role table decides, not Django's per-model permissions: a role granting
    # `scope_cap` somewhere opens this screen for that subtree (is_staff still gates the
    # admin site itself). ReadOnlyAdmin, listed first, still refuses every write.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Unit:
            kwargs["queryset"] = unit_choices(request, self.scope_cap)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _scoped_object_or_404(self, request: HttpRequest, object_id: str) -> None:
        """Django's admin redirects to its index for a row it cannot find; a row that
        exists outside the user's units is a 404 and a recorded refusal, like the console."""
        if not self._allowed(request):
            audit_access_denied(
                actor=request.user,  # type: ignore[arg-type]
                verb="read",
                channel="admin",
                reason="role",
                request=request,
            )
            raise PermissionDenied
        model: type[Model] = self.model
        try:
            exists = model._default_manager.filter(pk=object_id).first()
        except (ValueError, TypeError):
            exists = None
        if exists is None:
            raise Http404
        if not self.get_queryset(request).filter(pk=exists.pk).exists():
            audit_access_denied(
                actor=request.user,  # type: ignore[arg-type]
                verb="read",
                channel="admin",
                reason="outside_scope",
                target=exists,
                request=request,
            )
            raise Http404

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._scoped_object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._scoped_object_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._scoped_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)
