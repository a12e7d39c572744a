"""API keys of the systems and apps that file and follow tips over Open311 GeoReport v2."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """One partner system or app. Only a hash of the key is stored; the key is shown once.

    Requests filed with a key arrive through its own channel account (provider `api`),
    and a key only ever reads back the requests filed with it.
    """

    name = models.CharField(_("tên hệ thống / ứng dụng"), max_length=200)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    channel_account = models.ForeignKey(
        "channels.ChannelAccount", on_delete=models.PROTECT, related_name="+"
    )
    requests_per_hour = models.PositiveIntegerField(_("số yêu cầu mỗi giờ"), default=120)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa Open311")
        verbose_name_plural = _("khóa Open311")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
