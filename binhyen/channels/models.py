"""Channel accounts (a unit's Zalo OA page, the web form) and raw inbound events."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.fields import EncryptedTextField


class Provider(models.TextChoices):
    ZALO = "zalo", _("Zalo OA")
    WEB = "web", _("Biểu mẫu web")
    API = "api", _("API")


class ChannelAccount(models.Model):
    """A page (Zalo OA) or door through which citizens reach one unit."""

    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="channel_accounts",
        verbose_name=_("đơn vị"),
    )
    provider = models.CharField(_("kênh"), max_length=16, choices=Provider.choices)
    name = models.CharField(_("tên trang"), max_length=200)
    external_id = models.CharField(_("OA ID"), max_length=32, blank=True)
    app_id = models.CharField(_("App ID"), max_length=32, blank=True, db_index=True)
    oa_secret_key = EncryptedTextField(_("OA Secret Key"), blank=True, default="")
    app_secret_key = EncryptedTextField(_("App Secret Key"), blank=True, default="")
    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_error = models.CharField(max_length=300, blank=True)
    # While set in the future, one worker is refreshing the token (refresh tokens are
    # single-use: two refreshes at once would burn the pair).
    token_lease_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=~models.Q(external_id=""),
                name="channel_account_provider_external_unique",
            )
        ]
        verbose_name = _("trang / kênh")
        verbose_name_plural = _("trang / kênh")

    def __str__(self) -> str:
        return self.name


class InboundEvent(models.Model):
    """A provider event exactly as received, stored before anything else happens.

    `key` is the provider's unique id (Zalo: event name + msg_id, or a digest for events
    without one): a redelivery hits the unique constraint and is acknowledged, never
    processed twice. The body is encrypted: it carries the citizen's provider id.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        PROCESSING = "processing", _("Đang xử lý")
        PROCESSED = "processed", _("Đã xử lý")
        IGNORED = "ignored", _("Bỏ qua")
        FAILED = "failed", _("Lỗi")

    provider = models.CharField(max_length=16, choices=Provider.choices)
    key = models.CharField(max_length=200)
    # A plain id, not a foreign key: on SQLite this table lives in its own database file
    # (the inbox) so that accepting an event never waits behind processing.
    channel_account_id = models.BigIntegerField(null=True, blank=True)
    event_name = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    body = EncryptedTextField()
    # Keyed digest of (page, person): finds a person's raw events for erasure without
    # storing who they are in the clear. Empty for events that name nobody.
    person_hash = models.CharField(max_length=64, blank=True, db_index=True)
    redacted_at = models.DateTimeField(null=True, blank=True)
    retry_header = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Who holds the claim (SQLite): "host:pid:start-ticks", so that a claim left by a dead
    # process is taken back within seconds. Empty on PostgreSQL, where a row lock is the claim.
    claimed_by = models.CharField(max_length=120, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "key"], name="inbound_event_provider_key")
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status_received")]
        verbose_name = _("sự kiện nhận")
        verbose_name_plural = _("sự kiện nhận")

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_name}:{self.pk}"
