from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.accounts.models import User
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.units.models import Unit


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Hành động"), required=False)
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    user = forms.CharField(label=_("Tên đăng nhập"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["action"].choices = [("", _("Mọi hành động")), *AuditAction.choices]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", _("Mọi đơn vị tôi phụ trách")),
            *((u.code, u.name) for u in units.only("code", "name", "path")),
        ]

    def apply(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """Filter by the fields that are valid; invalid ones are shown as errors, not used."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("unit"):
            needle = f"/{data['unit']}/"
            qs = qs.filter(
                Q(actor_unit_path__contains=needle) | Q(target_unit_path__contains=needle)
            )
        if data.get("user"):
            name = data["user"].strip()
            ids = [
                str(pk) for pk in User.objects.filter(username=name).values_list("pk", flat=True)
            ]
            qs = qs.filter(
                Q(actor_username=name) | Q(target_type="accounts.user", target_id__in=ids)
            )
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
        if data.get("date_to"):
            end = data["date_to"] + timedelta(days=1)
            qs = qs.filter(at__lt=datetime.combine(end, time.min, tzinfo=tz))
        return qs
