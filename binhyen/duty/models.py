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


class EscalationRule(models.Model):
    """How long an unacknowledged alert rings at one level before it climbs: per urgency,
    minutes after the alert was raised (editable in the admin; defaults in
    `ESCALATION_DEFAULTS`, seeded by a migration and explained in docs/workflow.md)."""

    class Urgency(models.TextChoices):
        CRITICAL = "critical", _("Khẩn cấp")
        HIGH = "high", _("Cao")

    urgency = models.CharField(_("mức khẩn"), max_length=16, choices=Urgency.choices, unique=True)
    commander_after_minutes = models.PositiveIntegerField(
        _("báo chỉ huy đơn vị sau (phút)"),
        help_text=_("Tính từ lúc cảnh báo reo, nếu chưa ai nhận xử lý."),
    )
    province_after_minutes = models.PositiveIntegerField(
        _("báo trực ban Công an tỉnh sau (phút)"),
        help_text=_("Tính từ lúc cảnh báo reo; phải lớn hơn mốc báo chỉ huy."),
    )

    class Meta:
        ordering = ["urgency"]
        verbose_name = _("quy tắc chuyển cấp cảnh báo")
        verbose_name_plural = _("quy tắc chuyển cấp cảnh báo")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commander_after_minutes__gte=1)
                & models.Q(province_after_minutes__gt=models.F("commander_after_minutes")),
                name="escalation_steps_increase",
            )
        ]

    def __str__(self) -> str:
        return str(
            _("%(urgency)s: chỉ huy sau %(a)s phút, trực ban tỉnh sau %(b)s phút")
            % {
                "urgency": self.get_urgency_display(),
                "a": self.commander_after_minutes,
                "b": self.province_after_minutes,
            }
        )


# Minutes after the alert rang: (to the unit commander, to the province duty desk). A
# critical tip (weapon, violence in progress) cannot wait for a 10-minute ladder: the
# commander hears after 2 minutes and the province desk — which already saw it ring — is
# told nobody has taken it after 5. The first-acknowledgement clock is 5 min for critical
# and 30 min for high tips (clocks app), so a high tip reaches the province desk when it
# runs out.
ESCALATION_DEFAULTS = {"critical": (2, 5), "high": (15, 30)}


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
