from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from binhyen.accounts import services
from binhyen.accounts.access import Cap, has_cap_anywhere, sees_everything, unit_scope_q
from binhyen.accounts.models import ApiToken, Membership, User
from binhyen.audit.services import audit_access_denied
from binhyen.units.models import Unit

# --- the admin under the console's rules --------------------------------------------------
# The Django admin (/quan-tri/) under the same rules as the console.
#
# - `ReadOnlyAdmin`: case-like records (cases, messages, timeline, tips, vault, audit, triage
#   suggestions) are shown, never added, changed or deleted here: they change only through
#   the services, which write the timeline and the audit chain.
# - `UnitScopedAdmin`: a non-superuser sees only rows whose unit lies in a subtree where
#   their role grants `scope_cap`; another unit's row is a 404 (recorded as access.denied),
#   and unit choices in forms are limited to that subtree.
#
# Superusers see everything (they are the break-glass accounts; every sign-in is audited).


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


# Fields only a superuser may change: they grant powers beyond any unit's subtree.
ESCALATING_FIELDS = ("is_superuser", "groups", "user_permissions")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("unit",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        # A unit administrator sees (and may remove) only roles inside their subtree.
        return scope_queryset(
            super().get_queryset(request), request, prefix="unit__", cap=Cap.ACCOUNTS_MANAGE
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "unit":
            kwargs["queryset"] = unit_choices(request, Cap.ACCOUNTS_MANAGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the parent UserAdmin has already decided

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(User)
class UserAdmin(UnitScopedAdmin, BaseUserAdmin):
    """Staff accounts of the administrator's subtree (a user with a role there)."""

    unit_field = "memberships__unit"
    inlines = [MembershipInline]
    list_display = ("username", "full_name", "rank", "is_active", "is_superuser")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("BinhYen", {"fields": ("full_name", "rank")}))

    actions = ["reset_second_factor"]

    @admin.action(description="Đặt lại xác thực hai lớp (mất điện thoại)")
    def reset_second_factor(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """Asks for a reason first; each reset is an audit entry (auth.otp_reset)."""
        reason = str(request.POST.get("reason", ""))
        actor: User = request.user  # type: ignore[assignment]  # the admin site requires one
        if request.POST.get("confirm") == "yes":
            try:
                for user in queryset:
                    services.otp_reset(user=user, actor=actor, reason=reason, request=request)
            except services.OtpError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
            else:
                self.message_user(
                    request, f"Đã đặt lại xác thực hai lớp cho {queryset.count()} tài khoản."
                )
                return None
        return TemplateResponse(
            request,
            "accounts/admin_otp_reset.html",
            {
                **self.admin_site.each_context(request),
                "users": queryset,
                "reason": reason,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if not sees_everything(request.user):
            qs = qs.exclude(is_superuser=True)
        return qs

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not sees_everything(request.user):
            fields += ESCALATING_FIELDS
        return fields


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, UnitScopedAdmin):
    """Tokens are created and revoked with `binhyen api-token`; shown here, never edited."""

    unit_field = "user__memberships__unit"
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    @admin.action(description="Thu hồi các khóa API đã chọn")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("user"):
            services.api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
