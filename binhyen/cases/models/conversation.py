"""Citizens as seen by a page, their conversations and messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.lib import txbatch

# Zalo: free consultation replies within 48 h of the citizen's last interaction, paid up
# to 7 days, then unreachable except by template (zalo-oa.md §3.5).
FREE_WINDOW = timedelta(hours=48)
PAID_WINDOW = timedelta(days=7)


class Contact(models.Model):
    """A citizen as one channel sees them. Who they are lives in the vault."""

    class Kind(models.TextChoices):
        ZALO_USER = "zalo_user", _("Người dùng Zalo")
        ZALO_ANONYMOUS = "zalo_anonymous", _("Người dùng Zalo ẩn danh")
        WEB = "web", _("Biểu mẫu web")

    channel_account = models.ForeignKey(
        "channels.ChannelAccount", on_delete=models.PROTECT, related_name="contacts"
    )
    key_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    pseudonym = models.CharField(_("bí danh"), max_length=64)
    identity = models.ForeignKey(
        "vault.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_follower = models.BooleanField(null=True)
    # A police officer who linked their own Zalo to receive alerts: never opens cases.
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "key_hash"], name="contact_channel_key_unique"
            )
        ]
        verbose_name = _("người báo tin")
        verbose_name_plural = _("người báo tin")

    def __str__(self) -> str:
        return self.pseudonym


class Conversation(models.Model):
    channel_account = models.ForeignKey(
        "channels.ChannelAccount", on_delete=models.PROTECT, related_name="conversations"
    )
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="conversation")
    created_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_outbound_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hội thoại")
        verbose_name_plural = _("hội thoại")

    def __str__(self) -> str:
        return f"{self.contact} @ {self.channel_account}"

    def reply_window(self, now: datetime | None = None) -> str:
        """free | paid | closed: whether the citizen can still be reached, and at what cost.

        Only Zalo limits this; the web form's status page can always show a reply.
        """
        if self.channel_account.provider != "zalo":
            return "free"
        if self.last_inbound_at is None:
            return "closed"
        age = (now or timezone.now()) - self.last_inbound_at
        if age <= FREE_WINDOW:
            return "free"
        if age <= PAID_WINDOW:
            return "paid"
        return "closed"

    def window_ends_at(self) -> tuple[datetime | None, datetime | None]:
        if self.last_inbound_at is None:
            return None, None
        return self.last_inbound_at + FREE_WINDOW, self.last_inbound_at + PAID_WINDOW


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Người dân gửi")
        OUT = "out", _("Công an trả lời")
        SYSTEM = "system", _("Hệ thống")

    class Kind(models.TextChoices):
        TEXT = "text", _("Tin nhắn")
        IMAGE = "image", _("Hình ảnh")
        GIF = "gif", _("Ảnh động")
        FILE = "file", _("Tệp")
        AUDIO = "audio", _("Ghi âm")
        VIDEO = "video", _("Video")
        LINK = "link", _("Liên kết")
        LOCATION = "location", _("Vị trí")
        STICKER = "sticker", _("Nhãn dán")
        BUSINESS_CARD = "business_card", _("Danh thiếp")
        CONTACT_INFO = "contact_info", _("Thông tin liên hệ")
        EVENT = "event", _("Sự kiện")

    class Delivery(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        UNCERTAIN = "uncertain", _("Chưa rõ đã gửi")
        SENT = "sent", _("Đã gửi")
        DELIVERED = "delivered", _("Đã nhận")
        SEEN = "seen", _("Đã xem")
        FAILED = "failed", _("Không gửi được")

    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    quote_provider_id = models.CharField(max_length=64, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_label = models.CharField(max_length=100, blank=True)
    # Outbox state for outbound messages (the outbox is these rows).
    delivery = models.CharField(max_length=16, choices=Delivery.choices, blank=True)
    client_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_kind = models.CharField(max_length=16, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    # A worker batch's automatic messages are written before any read of messages
    # (`lib/txbatch.py`, `cases.services.common.outbound_queue`).
    objects = txbatch.ReadFlushingQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(fields=["delivery", "next_attempt_at"], name="message_outbox_due"),
        ]
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")

    def __str__(self) -> str:
        return f"{self.direction}:{self.kind}:{self.pk}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.token}{_ext(filename)}"


def _ext(filename: str) -> str:
    dot = filename.rfind(".")
    ext = filename[dot:].lower() if dot >= 0 else ""
    return ext if len(ext) <= 6 and ext[1:].isalnum() else ""


class Attachment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Đang tải")
        STORED = "stored", _("Đã lưu")
        FAILED = "failed", _("Không tải được")
        REMOTE = "remote", _("Chỉ có liên kết")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16)
    remote_url = models.URLField(max_length=2000, blank=True)
    thumbnail_url = models.URLField(max_length=2000, blank=True)
    description = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to=attachment_upload_to, blank=True, max_length=300)
    name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return f"{self.kind}:{self.token}"

    @property
    def is_image(self) -> bool:
        return self.kind in {"image", "gif", "sticker"} or self.content_type.startswith("image/")
