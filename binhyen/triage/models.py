"""What the machine suggested about a case, what officers corrected, and the model versions.

Nothing here holds identity data: suggestions and labelled examples keep the text the
citizen wrote (case content, like the thread itself), never who wrote it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.lib import txbatch

if TYPE_CHECKING:
    from binhyen.lib.triage import Example


class ModelVersion(models.Model):
    """One trained triage model: its weights, how it was trained and how it scored."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Đang dùng")
        RETIRED = "retired", _("Đã thay thế")
        REFUSED = "refused", _("Bị từ chối (kém hơn)")

    version = models.CharField(_("phiên bản"), max_length=64, unique=True)
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    training_size = models.PositiveIntegerField(_("số mẫu huấn luyện"), default=0)
    corrections_used = models.PositiveIntegerField(_("số mẫu cán bộ sửa"), default=0)
    holdout_size = models.PositiveIntegerField(_("số mẫu để riêng"), default=0)
    # Per-field accuracy on the held-back slice, and the one figure that decides.
    metrics = models.JSONField(default=dict, blank=True)
    score = models.FloatField(default=0.0)
    compared_with = models.CharField(max_length=64, blank=True)
    compared_score = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    # The model file (.npz, arrays only, loaded without pickle); empty for refused models.
    blob = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="active"),
                name="triage_one_active_model",
            )
        ]
        verbose_name = _("phiên bản mô hình")
        verbose_name_plural = _("phiên bản mô hình")

    def __str__(self) -> str:
        return f"{self.version} ({self.state})"


class Routing(models.TextChoices):
    ROUTED = "routed", _("Đã tự động chuyển về đơn vị phụ trách địa bàn")
    HERE = "here", _("Địa bàn thuộc đơn vị đang xử lý")
    SEVERAL = "several", _("Nhiều đơn vị có thể phụ trách — cán bộ chọn")
    NO_PLACE = "no_place", _("Không xác định được địa bàn")
    NO_UNIT = "no_unit", _("Chưa có đơn vị đang hoạt động phụ trách địa bàn này")
    NOT_TIP = "not_tip", _("Không phải tin báo: không tự động chuyển")
    HANDLED = "handled", _("Cán bộ đã nhận hoặc phân loại: không tự động chuyển")
    ONCE = "once", _("Đã tự động chuyển một lần: lần sau do cán bộ quyết định")


class Suggestion(models.Model):
    """The machine's reading of a case after one inbound message, with its reasons."""

    Routing = Routing

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="triage_suggestions"
    )
    message = models.ForeignKey(
        "cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    text = models.TextField(blank=True, help_text=_("Nội dung đã phân tích (các tin người dân)."))
    intent = models.CharField(max_length=16, blank=True)  # "" when there was no text to read
    category = models.CharField(max_length=32, blank=True)
    urgency = models.CharField(max_length=16, blank=True)
    place_codes = models.JSONField(default=list, blank=True)
    place_reasons = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=dict, blank=True)
    confidence = models.JSONField(default=dict, blank=True)
    model_version = models.CharField(max_length=64)
    # Nearest units to a location the citizen shared: [{"code", "name", "km"}].
    nearest = models.JSONField(default=list, blank=True)
    applied = models.BooleanField(default=False)
    routing = models.CharField(max_length=16, choices=Routing.choices, blank=True)
    routing_note = models.CharField(max_length=500, blank=True)
    routed_to = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # A worker's batch writes its readings together, before any query of readings.
    objects = txbatch.FlushingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "message"],
                condition=models.Q(message__isnull=False),
                name="triage_suggestion_once_per_message",
            )
        ]
        verbose_name = _("gợi ý phân tích")
        verbose_name_plural = _("gợi ý phân tích")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.intent}/{self.category}/{self.urgency}"


class LabelledExample(models.Model):
    """A message as officers labelled it: training data for the next model."""

    suggestion = models.OneToOneField(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="example"
    )
    text = models.TextField()
    intent = models.CharField(max_length=16)
    category = models.CharField(max_length=32, blank=True)
    urgency = models.CharField(max_length=16, blank=True)
    place_codes = models.JSONField(default=list, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("mẫu đã gán nhãn")
        verbose_name_plural = _("mẫu đã gán nhãn")

    def __str__(self) -> str:
        return f"{self.pk}:{self.intent}/{self.category}/{self.urgency}"

    def as_example(self) -> Example | None:
        """The library's training example, or None while the labels are incomplete."""
        # deferred: the model code (numpy) loads only where examples are used, not in
        # every process that imports the models.
        from binhyen.lib.triage import Example

        try:
            return Example.from_dict(
                {
                    "id": f"correction-{self.pk}",
                    "text": self.text,
                    "intent": self.intent,
                    "category": self.category or None,
                    "urgency": self.urgency or None,
                    "place_codes": self.place_codes,
                }
            )
        except (KeyError, ValueError):
            return None


class Correction(models.Model):
    """One field an officer changed from what the machine suggested."""

    class Field(models.TextChoices):
        INTENT = "intent", _("Loại")
        CATEGORY = "category", _("Lĩnh vực")
        URGENCY = "urgency", _("Mức khẩn")
        PLACE = "place_codes", _("Địa bàn")

    example = models.ForeignKey(
        LabelledExample, on_delete=models.CASCADE, related_name="corrections"
    )
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    field = models.CharField(max_length=16, choices=Field.choices)
    suggested = models.CharField(max_length=200, blank=True)
    corrected = models.CharField(max_length=200, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sửa gợi ý")
        verbose_name_plural = _("sửa gợi ý")

    def __str__(self) -> str:
        return f"{self.field}: {self.suggested} → {self.corrected}"


class DuplicateCandidate(models.Model):
    """An earlier open case that a newer one probably reports again."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="duplicate_candidates"
    )
    other = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "other"], name="triage_duplicate_pair_unique")
        ]
        verbose_name = _("nghi trùng")
        verbose_name_plural = _("nghi trùng")

    def __str__(self) -> str:
        return f"{self.case_id}~{self.other_id} ({self.score:.2f})"


class DuplicateSignature(models.Model):
    """What the duplicate search compares of a tip, kept when the tip is read.

    One compact row per tip (its unit, when it was opened, its category and places, the folded
    words and word pairs of its text): a new tip finds its candidates by the index on
    (unit, opened_at) within the nearby units and the time window, and scores them from these
    rows alone — never loading the open cases and their suggestions."""

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Copies of the case's unit and opening time (the index), kept in step on transfer.
    unit_id = models.BigIntegerField()
    opened_at = models.DateTimeField()
    category = models.CharField(max_length=32, blank=True)
    place_codes = models.JSONField(default=list, blank=True)
    # The folded words and word pairs of the tip's text, joined by "|".
    features = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit_id", "opened_at"], name="triage_dupsig_unit_opened")]
        verbose_name = _("dấu hiệu nghi trùng")
        verbose_name_plural = _("dấu hiệu nghi trùng")

    def __str__(self) -> str:
        return f"{self.case_id}@{self.unit_id}"
