"""Tips filed through the public doors (web form, Open311) and the counters that throttle them.

A `Tip` is the citizen's follow-up credential (tip code + password, both stored only as
hashes) and, while it is held back as possible spam, the submission itself. Nothing here
says who the citizen is or where they connected from: contact details go to the vault,
and no IP address or user agent is ever stored (counters are keyed by short, per-window
keyed hashes that cannot be turned back into an address).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.fields import EncryptedJSONField


class Tip(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Biểu mẫu web")
        OPEN311 = "open311", _("Open311")

    class State(models.TextChoices):
        HELD = "held", _("Tạm giữ (nghi tin rác)")
        FILED = "filed", _("Đã vào hộp thư")
        DISCARDED = "discarded", _("Đã loại")

    code_hash = models.CharField(max_length=64, unique=True)
    password_hash = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    state = models.CharField(max_length=16, choices=State.choices)
    channel_account = models.ForeignKey(
        "channels.ChannelAccount", on_delete=models.PROTECT, related_name="+"
    )
    # The contact's key on that channel: a random token, identifies nobody.
    contact_key = models.CharField(max_length=64)
    # Where the tip is routed (and, while held, who reviews it).
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    place_label = models.CharField(_("địa bàn"), max_length=300, blank=True)
    service_code = models.CharField(max_length=40, blank=True)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="tip"
    )
    hold_reasons = models.JSONField(default=list, blank=True)
    # While held: the report, the cleaned files' storage names and later messages.
    held = EncryptedJSONField(null=True, blank=True)
    # Bytes of held files on disk (counted against the held storage cap; 0 once gone).
    held_bytes = models.PositiveBigIntegerField(default=0)
    held_identity = models.ForeignKey(
        "vault.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="tip_state_created")]
        verbose_name = _("tin báo qua web")
        verbose_name_plural = _("tin báo qua web")

    def __str__(self) -> str:
        return f"tip #{self.pk} ({self.state})"


class Counter(models.Model):
    """A short-lived counter for throttling: `scope:keyed-hash:window` → count."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
