from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from binhyen.accounts import otp
from binhyen.accounts.access import Cap, sees_everything
from binhyen.accounts.adminscope import ReadOnlyAdmin, UnitScopedAdmin, scope_queryset, unit_choices
from binhyen.accounts.models import ApiToken, Membership, User
from binhyen.accounts.services import api_token_revoke

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
        if request.POST.get("confirm") == "yes":
            try:
                for user in queryset:
                    otp.otp_reset(user=user, actor=request.user, reason=reason, request=request)  # type: ignore[arg-type]
            except otp.OtpError as exc:
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
            api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
