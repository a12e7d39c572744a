"""The duty desk in the admin: shifts (scoped to the administrator's units, with the
console's rules) and the escalation rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from binhyen.accounts.access import Cap, can_see_unit
from binhyen.accounts.admin import UnitScopedAdmin
from binhyen.duty.models import EscalationRule, Shift


class ShiftAdminForm(forms.ModelForm[Shift]):
    class Meta:
        model = Shift
        fields = ("unit", "user", "post", "starts_at", "ends_at", "note")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        unit, user = data.get("unit"), data.get("user")
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                raise forms.ValidationError(_("Giờ kết thúc phải sau giờ bắt đầu."))
            if ends - starts > timedelta(hours=48):
                raise forms.ValidationError(_("Một ca trực không dài quá 48 giờ."))
        if unit is not None and user is not None and not can_see_unit(user, unit):
            raise forms.ValidationError(_("Cán bộ không thuộc đơn vị này."))
        return data


@admin.register(Shift)
class ShiftAdmin(UnitScopedAdmin):
    form = ShiftAdminForm
    scope_cap = Cap.DUTY_MANAGE
    list_display = ("unit", "user", "post", "starts_at", "ends_at", "note")
    list_filter = ("post",)
    search_fields = ("user__username", "user__full_name", "unit__name")
    date_hierarchy = "starts_at"
    raw_id_fields = ("user",)


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ("urgency", "commander_after_minutes", "province_after_minutes")
