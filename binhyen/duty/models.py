"""The duty roster, alerts that ring on-duty officers, and their escalation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Post(models.TextChoices):
    DUTY_DESK = "duty_desk", _("Trực ban")
    OFFICER = "officer", _("Cán bộ trực")
    COMMANDER = "commander", _("Chỉ huy trực")


class Shift(models.Model):
    """Who is on duty in a unit, when. The province duty desk runs 24/7 shifts."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts"
    )
    post = models.CharField(_("vị trí"), max_length=16, choices=Post.choices, default=Post.OFFICER)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["unit", "starts_at", "ends_at"], name="shift_unit_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]
        verbose_name = _("ca trực")
        verbose_name_plural = _("ca trực")

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} {self.starts_at:%d/%m %H:%M}–{self.ends_at:%H:%M}"


class Level(models.IntegerChoices):
    UNIT = 0, _("Cán bộ trực của đơn vị")
    COMMANDER = 1, _("Chỉ huy đơn vị")
    PROVINCE = 2, _("Trực ban Công an tỉnh")


class Alert(models.Model):
    """An urgent case (or a missed deadline) ringing until somebody acknowledges it."""

    class Reason(models.TextChoices):
        URGENT = "urgent", _("Tin báo khẩn")
        BREACH = "breach", _("Quá hạn")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="alerts")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.UNIT)
    created_at = models.DateTimeField(default=timezone.now)
    escalate_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cảnh báo")
        verbose_name_plural = _("cảnh báo")

    def __str__(self) -> str:
        return f"{self.reason}:{self.case_id}:L{self.level}"

    @property
    def is_active(self) -> bool:
        return self.acknowledged_at is None


class MessengerLink(models.Model):
    """An officer's own Zalo account, linked through a unit page, to receive alerts there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messenger_link"
    )
    channel_account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE)
    # A keyed hash of the live one-time code (the code itself is shown once, never stored).
    code = models.CharField(max_length=64, blank=True, db_index=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes sent to the page while this code was live; past a limit it is voided.
    failed_attempts = models.PositiveIntegerField(default=0)
    code_voided_at = models.DateTimeField(null=True, blank=True)
    # The Zalo account that sent the code, until the officer confirms it in the console.
    pending_contact = models.ForeignKey(
        "cases.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pending_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        "cases.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết Zalo cán bộ")
        verbose_name_plural = _("liên kết Zalo cán bộ")

    def __str__(self) -> str:
        return f"{self.user} → {self.channel_account}"


class MessengerLinkFailure(models.Model):
    """A wrong link code sent to a page: counted per sender (a keyed hash of their Zalo
    contact key, never the id) to stop guessing."""

    channel_account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE)
    sender_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("mã liên kết sai")
        verbose_name_plural = _("mã liên kết sai")

    def __str__(self) -> str:
        return f"{self.sender_hash[:8]} @ {self.at:%Y-%m-%d %H:%M}"
