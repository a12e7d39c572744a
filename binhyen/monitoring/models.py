"""What monitoring records beyond the case timeline: follows, satisfaction answers, the score's
settings, reminders, award nominations and the stored weekly reports.

Every figure itself is computed from recorded timestamps (`kpis.py`); nothing here is a
hand-entered count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowEvent(models.Model):
    """A citizen followed or unfollowed a unit's page (Zalo follow / unfollow events)."""

    channel_account = models.ForeignKey(
        "channels.ChannelAccount", on_delete=models.CASCADE, related_name="+"
    )
    # The unit that owned the page at the time: pages move between units rarely, figures
    # of past weeks should not move with them.
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    following = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["at", "unit"], name="follow_at_unit")]
        verbose_name = _("quan tâm / bỏ quan tâm trang")
        verbose_name_plural = _("quan tâm / bỏ quan tâm trang")

    def __str__(self) -> str:
        return f"{'+' if self.following else '-'}{self.channel_account_id}@{self.at:%Y-%m-%d}"


class SatisfactionSurvey(models.Model):
    """ "Bạn hài lòng với cách xử lý không?" asked once when a case ends; the 1–5 answer."""

    class Via(models.TextChoices):
        ZALO = "zalo", _("Tin nhắn Zalo")
        WEB = "web", _("Trang tra cứu tin báo")

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="survey")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    via = models.CharField(max_length=8, choices=Via.choices)
    asked_at = models.DateTimeField(db_index=True)
    score = models.PositiveSmallIntegerField(_("mức hài lòng"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_5",
            )
        ]
        verbose_name = _("đánh giá hài lòng")
        verbose_name_plural = _("đánh giá hài lòng")

    def __str__(self) -> str:
        return f"survey:{self.case_id}:{self.score or '-'}"


class ScoreSettings(models.Model):
    """The league table's weights and flag thresholds (one row; defaults in `scoring.py`).

    Shown on the league table page with the formula, so every unit can check its score.
    """

    weights = models.JSONField(_("trọng số"), default=dict, blank=True)
    thresholds = models.JSONField(_("ngưỡng cảnh báo"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("cách tính điểm xếp hạng")
        verbose_name_plural = _("cách tính điểm xếp hạng")

    def __str__(self) -> str:
        return str(_("Cách tính điểm xếp hạng"))


class Reminder(models.Model):
    """Province command reminds a unit; its commander must acknowledge it."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="reminders")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    text = models.TextField(_("nội dung nhắc nhở"))
    reasons = models.JSONField(_("lý do (cảnh báo)"), default=list, blank=True)
    figures = models.JSONField(_("số liệu"), default=dict, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("phản hồi của đơn vị"), blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("nhắc nhở")
        verbose_name_plural = _("nhắc nhở")

    def __str__(self) -> str:
        return f"reminder:{self.unit_id}@{self.sent_at:%Y-%m-%d}"


class AwardNomination(models.Model):
    """A proposal to reward a unit or an officer, with the figures that justify it."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    period_label = models.CharField(max_length=40)
    reason = models.TextField(_("thành tích"))
    figures = models.JSONField(_("số liệu"), default=dict, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-nominated_at"]
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")

    def __str__(self) -> str:
        return f"award:{self.unit_id}:{self.officer_id or '-'}@{self.period_label}"


def report_upload_to(instance: Report, filename: str) -> str:
    return f"reports/{instance.period_label}/{filename}"


class Report(models.Model):
    """One unit's report for one period: a spreadsheet and a PDF, made by the worker.

    The unique constraint is what makes the Monday run idempotent: two workers creating the
    same week's report meet it, and only the one holding the claim renders.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ lập")
        RUNNING = "running", _("Đang lập")
        DONE = "done", _("Đã lập")
        FAILED = "failed", _("Lỗi")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    period_label = models.CharField(max_length=40)
    scheduled = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    xlsx = models.FileField(upload_to=report_upload_to, blank=True, max_length=300)
    pdf = models.FileField(upload_to=report_upload_to, blank=True, max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_start", "period_end"], name="report_one_per_unit_period"
            )
        ]
        indexes = [models.Index(fields=["state", "claimed_until"], name="report_state_claim")]
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")

    def __str__(self) -> str:
        return f"report:{self.unit_id}:{self.period_label}"
