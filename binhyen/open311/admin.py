from django.contrib import admin

from binhyen.accounts.admin import UnitScopedAdmin
from binhyen.open311.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(UnitScopedAdmin):
    """Keys are created with `binhyen open311 create-key` (the key is shown once)."""

    list_display = (
        "name",
        "prefix",
        "channel_account",
        "requests_per_hour",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    fields = (
        "name",
        "prefix",
        "channel_account",
        "requests_per_hour",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "channel_account", "created_at", "last_used_at", "revoked_at")
    unit_field = "channel_account__unit"

    def has_add_permission(self, request: object) -> bool:
        return False
