from django import forms
from django.contrib import admin
from django.http import HttpRequest

from binhyen.accounts.access import sees_everything
from binhyen.accounts.admin import ReadOnlyAdmin, UnitScopedAdmin
from binhyen.channels.models import ChannelAccount, InboundEvent

SECRET_FIELDS = ("oa_secret_key", "app_secret_key", "access_token", "refresh_token")


class ChannelAccountForm(forms.ModelForm):
    """Secrets are write-only here: left blank, the stored value is kept."""

    class Meta:
        model = ChannelAccount
        fields = (
            "unit",
            "provider",
            "name",
            "external_id",
            "app_id",
            *SECRET_FIELDS,
            "token_expires_at",
            "is_active",
        )
        widgets = {f: forms.PasswordInput(render_value=False) for f in SECRET_FIELDS}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for f in SECRET_FIELDS:
            self.fields[f].required = False
            if self.instance.pk and getattr(self.instance, f):
                self.fields[f].help_text = "Đã lưu (mã hóa). Để trống để giữ nguyên."

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.instance.pk:
            for f in SECRET_FIELDS:
                if not data.get(f):
                    data[f] = getattr(self.instance, f)
        return data


@admin.register(ChannelAccount)
class ChannelAccountAdmin(UnitScopedAdmin):
    """Pages of the administrator's subtree."""

    form = ChannelAccountForm
    list_display = (
        "name",
        "provider",
        "unit",
        "external_id",
        "is_active",
        "last_event_at",
        "token_expires_at",
        "token_error",
    )
    list_filter = ("provider", "is_active")
    search_fields = ("name", "external_id", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdmin):
    # Raw provider events live in the inbox database (no join to units): superusers only.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_everything(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return sees_everything(request.user)

    # The body stays out of the admin: it carries the citizen's Zalo id.
    list_display = (
        "id",
        "provider",
        "event_name",
        "channel_account_id",
        "status",
        "attempts",
        "received_at",
        "processed_at",
    )
    list_filter = ("provider", "status", "event_name")
    fields = (
        "provider",
        "key",
        "channel_account_id",
        "event_name",
        "received_at",
        "status",
        "attempts",
        "last_error",
        "processed_at",
    )
    readonly_fields = fields
