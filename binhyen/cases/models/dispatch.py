"""Dispatching officers to a tip and recording what they found (CAD timestamps)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dispatch(models.Model):
    """A patrol or officers sent to the scene, with the computer-aided-dispatch times."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="dispatches")
    team = models.CharField(_("tổ công tác"), max_length=200)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("điều động lúc"), default=timezone.now)
    en_route_at = models.DateTimeField(_("xuất phát lúc"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("có mặt lúc"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]
        verbose_name = _("điều động")
        verbose_name_plural = _("điều động")

    def __str__(self) -> str:
        return f"{self.team} ({self.case_id})"

    @property
    def travel_time(self) -> timedelta | None:
        start = self.en_route_at or self.dispatched_at
        return self.on_scene_at - start if self.on_scene_at else None

    @property
    def on_scene_time(self) -> timedelta | None:
        if self.on_scene_at and self.cleared_at:
            return self.cleared_at - self.on_scene_at
        return None


class CaseOutcome(models.Model):
    """What the action produced: people detained, items seized, referrals."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="result")
    people_detained = models.PositiveIntegerField(_("số người bị bắt giữ"), default=0)
    vehicles_seized = models.PositiveIntegerField(_("số phương tiện thu giữ"), default=0)
    items_seized = models.JSONField(
        _("tang vật thu giữ"),
        default=list,
        blank=True,
        help_text=_('Danh sách {"name": "dao", "count": 4}'),
    )
    referrals = models.TextField(_("chuyển giao, kiến nghị"), blank=True)
    summary = models.TextField(_("tóm tắt kết quả"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kết quả xử lý")
        verbose_name_plural = _("kết quả xử lý")

    def __str__(self) -> str:
        return f"outcome:{self.case_id}"

    def headline(self) -> str:
        """'21 người, 7 xe máy, 4 dao' — as the pilot's report put it."""
        parts = []
        if self.people_detained:
            parts.append(f"{self.people_detained} người")
        if self.vehicles_seized:
            parts.append(f"{self.vehicles_seized} phương tiện")
        for item in self.items_seized or []:
            if isinstance(item, dict) and item.get("name"):
                parts.append(f"{item.get('count', 1)} {item['name']}")
        return ", ".join(parts)
