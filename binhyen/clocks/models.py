"""Clock rules an administrator edits, the working calendar's overrides, and the clocks of cases.

The arithmetic lives in `binhyen.lib.clocks`; write paths in `services.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.lib import clocks as lib


class ClockRule(models.Model):
    """One deadline rule; the seeded defaults are in `binhyen.lib.clocks.DEFAULT_RULES`.

    Editing a rule changes clocks started afterwards; a running clock keeps the deadline, rule
    values and citation it was started with.
    """

    class Kind(models.TextChoices):
        OPERATIONAL = "operational", _("Nghiệp vụ")
        LEGAL = "legal", _("Pháp lý")
        CHANNEL = "channel", _("Kênh liên lạc")

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("phút")
        HOURS = "hours", _("giờ")
        DAYS = "days", _("ngày")
        WORKING_DAYS = "working_days", _("ngày làm việc")
        MONTHS = "months", _("tháng")

    class Anchor(models.TextChoices):
        START = "start", _("Từ khi bắt đầu tính hạn")
        PREVIOUS_END = "previous_end", _("Nối tiếp thời hạn trước")

    class Trigger(models.TextChoices):
        NONE = "", _("Không")
        SUSPENSION = "suspension", _("Khi tạm đình chỉ")
        RESUMPTION = "resumption", _("Khi phục hồi")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    family = models.SlugField(
        _("nhóm"),
        max_length=40,
        blank=True,
        help_text=_("Các quy tắc cùng nhóm tính cho cùng một hạn; để trống là chính mã."),
    )
    amount = models.PositiveIntegerField(_("thời hạn"))
    unit = models.CharField(_("đơn vị"), max_length=16, choices=Unit.choices)
    end_of_day = models.BooleanField(
        _("hết hạn lúc 24 giờ ngày cuối"),
        default=False,
        help_text=_("Điều 134 BLTTHS: thời hạn tính theo ngày hết lúc 24 giờ ngày cuối cùng."),
    )
    roll_to_working_day = models.BooleanField(
        _("lùi sang ngày làm việc"),
        default=False,
        help_text=_("Nếu ngày cuối là ngày nghỉ thì ngày làm việc tiếp theo là ngày cuối."),
    )
    citation_vi = models.CharField(_("căn cứ (tiếng Việt)"), max_length=300)
    citation_en = models.CharField(_("căn cứ (tiếng Anh)"), max_length=300, blank=True)
    description_vi = models.CharField(_("nội dung (tiếng Việt)"), max_length=300)
    description_en = models.CharField(_("nội dung (tiếng Anh)"), max_length=300, blank=True)
    extends = models.SlugField(_("gia hạn cho quy tắc"), max_length=40, blank=True)
    anchor = models.CharField(
        _("tính từ"), max_length=16, choices=Anchor.choices, default=Anchor.START
    )
    pausable = models.BooleanField(_("dừng khi tạm đình chỉ"), default=False)
    restart_on_resume = models.SlugField(
        _("khi phục hồi, tính lại theo"), max_length=40, blank=True
    )
    starts_on = models.CharField(
        _("tự bắt đầu"), max_length=16, choices=Trigger.choices, blank=True, default=""
    )
    repeat = models.BooleanField(_("lặp lại"), default=False)
    not_when_anonymous = models.BooleanField(_("không áp dụng khi nặc danh"), default=False)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "family", "code"]
        verbose_name = _("quy tắc thời hạn")
        verbose_name_plural = _("quy tắc thời hạn")

    def __str__(self) -> str:
        return f"{self.code}: {self.amount} {self.get_unit_display()}"

    def clean(self) -> None:
        if not self.family:
            self.family = self.code
        try:
            self.to_rule()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if self.unit in {"minutes", "hours"} and (self.end_of_day or self.roll_to_working_day):
            raise ValidationError(_("Thời hạn tính theo phút, giờ chạy liên tục cả ngày nghỉ."))
        if self.extends == self.code:
            raise ValidationError(_("Quy tắc không thể gia hạn cho chính nó."))

    def to_rule(self) -> lib.Rule:
        # The choices on the fields keep these strings within the Literal types.
        return lib.Rule(
            code=self.code,
            kind=cast(lib.Kind, self.kind),
            amount=self.amount,
            unit=cast(lib.Unit, self.unit),
            end_of_day=self.end_of_day,
            roll_to_working_day=self.roll_to_working_day,
            citation_vi=self.citation_vi,
            description_vi=self.description_vi,
            citation_en=self.citation_en,
            description_en=self.description_en,
            family=self.family,
            extends=self.extends,
            anchor=cast(lib.Anchor, self.anchor),
            pausable=self.pausable,
            restart_on_resume=self.restart_on_resume,
            starts_on=cast(lib.Trigger, self.starts_on),
            repeat=self.repeat,
            not_when_anonymous=self.not_when_anonymous,
        )

    @classmethod
    def fields_from_rule(cls, rule: lib.Rule) -> dict[str, object]:
        return {
            "kind": rule.kind,
            "family": rule.family,
            "amount": rule.amount,
            "unit": rule.unit,
            "end_of_day": rule.end_of_day,
            "roll_to_working_day": rule.roll_to_working_day,
            "citation_vi": rule.citation_vi,
            "citation_en": rule.citation_en,
            "description_vi": rule.description_vi,
            "description_en": rule.description_en,
            "extends": rule.extends,
            "anchor": rule.anchor,
            "pausable": rule.pausable,
            "restart_on_resume": rule.restart_on_resume,
            "starts_on": rule.starts_on,
            "repeat": rule.repeat,
            "not_when_anonymous": rule.not_when_anonymous,
        }


class CalendarDay(models.Model):
    """An administrator's override of the holiday calendar: a swap day or an extra Tết day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ (nghỉ bù, nghỉ Tết thêm)")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    note = models.CharField(
        _("căn cứ, ghi chú"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: Thông báo số …/TB-BNV về lịch nghỉ Tết."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class CaseClock(models.Model):
    """One deadline running on a case, with the rule and citation it was computed from."""

    class State(models.TextChoices):
        RUNNING = "running", _("Đang tính")
        PAUSED = "paused", _("Tạm dừng (tạm đình chỉ)")
        MET = "met", _("Đã hoàn thành")
        BREACHED = "breached", _("Quá hạn")
        CANCELLED = "cancelled", _("Không tính nữa")

    OPEN_STATES = (State.RUNNING, State.PAUSED, State.BREACHED)

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="clocks")
    rule = models.ForeignKey(ClockRule, on_delete=models.PROTECT, related_name="clocks")
    rule_code = models.CharField(_("quy tắc"), max_length=40)
    family = models.CharField(_("nhóm"), max_length=40)
    kind = models.CharField(_("loại"), max_length=16, choices=ClockRule.Kind.choices)
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=State.choices, default=State.RUNNING
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    due_at = models.DateTimeField(_("hạn"))
    # What produced due_at, frozen when it was computed.
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=16, choices=ClockRule.Unit.choices)
    label_vi = models.CharField(max_length=300)
    citation_vi = models.CharField(_("căn cứ"), max_length=300)
    citation_en = models.CharField(max_length=300, blank=True)
    # The rules that have governed this clock, in order: [{"code", "amount", "at"}], the rule it
    # was started with, then each extension granted. The last one is `rule`.
    chain = models.JSONField(default=list, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Thời điểm hệ thống ghi nhận quá hạn.")
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(default=timedelta(0))
    reason = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "family"],
                condition=Q(state__in=["running", "paused", "breached"]),
                name="caseclock_one_open_per_family",
            )
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="caseclock_state_due")]
        verbose_name = _("thời hạn của vụ việc")
        verbose_name_plural = _("thời hạn của vụ việc")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.rule_code}:{self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def met_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left (negative when overdue); frozen while paused; None once met or cancelled."""
        if self.state == self.State.PAUSED and self.paused_at is not None:
            return self.due_at - self.paused_at
        if self.state in (self.State.RUNNING, self.State.BREACHED):
            return self.due_at - now
        return None
