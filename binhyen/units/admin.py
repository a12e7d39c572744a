from django.contrib import admin

from binhyen.accounts.admin import UnitScopedAdmin
from binhyen.units.models import Area, FormerArea, Unit


@admin.register(Unit)
class UnitAdmin(UnitScopedAdmin):
    """Units of the administrator's subtree (new units can only be placed inside it)."""

    unit_field = ""
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("areas",)
    readonly_fields = ("path",)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "latitude", "longitude")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(FormerArea)
class FormerAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "district_name")
    list_filter = ("level",)
    search_fields = ("code", "name", "district_name")
    filter_horizontal = ("areas",)
