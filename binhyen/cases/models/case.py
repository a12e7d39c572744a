"""Cases: what a unit must act on, with its workflow state and timeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.lib import txbatch


class Intent(models.TextChoices):
    UNKNOWN = "unknown", _("Chưa phân loại")
    TIP = "tip", _("Tin báo")
    QUESTION = "question", _("Câu hỏi")
    FEEDBACK = "feedback", _("Phản ánh, góp ý")
    OTHER = "other", _("Khác")


class Category(models.TextChoices):
    """The 12 tip categories (docs/reference/taxonomy.md); the codes are a contract."""

    PUBLIC_ORDER = "public_order", _("Gây rối trật tự công cộng")
    THEFT_ROBBERY = "theft_robbery", _("Trộm cắp, cướp")
    DRUGS = "drugs", _("Ma túy")
    GAMBLING = "gambling", _("Cờ bạc")
    FRAUD = "fraud", _("Lừa đảo")
    LOAN_SHARK = "loan_shark", _("Tín dụng đen")
    TRAFFIC = "traffic", _("Giao thông")
    FIRE_RESCUE = "fire_rescue", _("Cháy nổ, cứu nạn")
    DOMESTIC_CHILD = "domestic_child", _("Bạo lực gia đình, xâm hại trẻ em")
    ENVIRONMENT = "environment", _("Môi trường, tài nguyên")
    SUSPICIOUS = "suspicious", _("Đối tượng khả nghi")
    OTHER_CRIME = "other_crime", _("Vi phạm khác")


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Khẩn cấp")
    HIGH = "high", _("Cao")
    NORMAL = "normal", _("Bình thường")


def classification_label(intent: str, category: str = "", urgency: str = "") -> str:
    """ "Tin báo · Trộm cắp, cướp · Khẩn cấp" — how people read a classification."""
    parts = [str(dict(Intent.choices).get(intent, intent))]
    if intent == Intent.TIP:
        parts.append(str(dict(Category.choices).get(category, category)))
        parts.append(str(dict(Urgency.choices).get(urgency, urgency)))
    return " · ".join(parts)


class Status(models.TextChoices):
    # Open states: the unit still owes the citizen something.
    RECEIVED = "received", _("Mới tiếp nhận")
    CLASSIFIED = "classified", _("Đã phân loại")
    VERIFYING = "verifying", _("Đang xác minh")
    SUSPENDED = "suspended", _("Tạm đình chỉ")
    ACKNOWLEDGED = "acknowledged", _("Đã ghi nhận")
    # Terminal states (reopening is a recorded transition).
    HANDED_OVER = "handed_over", _("Đã chuyển Cơ quan điều tra")
    TRANSFERRED = "transferred", _("Đã chuyển cơ quan có thẩm quyền")
    RESOLVED = "resolved", _("Đã giải quyết")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")


class Outcome(models.TextChoices):
    """Honest results of a tip (what the record will say, and what KPIs count)."""

    PROSECUTION_PROPOSED = "prosecution_proposed", _("Đề nghị khởi tố")
    ADMINISTRATIVE_HANDLED = "administrative_handled", _("Đã xử lý vi phạm hành chính")
    NOT_A_CRIME = "not_a_crime", _("Không có dấu hiệu tội phạm")
    NO_GROUNDS = "no_grounds", _("Không đủ căn cứ xác minh")
    DUPLICATE = "duplicate", _("Trùng tin đã tiếp nhận")
    NOT_OUR_JURISDICTION = "not_our_jurisdiction", _("Không thuộc thẩm quyền")


OPEN_STATUSES = (
    Status.RECEIVED,
    Status.CLASSIFIED,
    Status.VERIFYING,
    Status.SUSPENDED,
    Status.ACKNOWLEDGED,
)


class Case(models.Model):
    """What the unit must act on: a tip, a question or feedback, with its thread."""

    Intent = Intent
    Status = Status
    Outcome = Outcome
    OPEN_STATUSES = OPEN_STATUSES

    code = models.CharField(_("mã tin"), max_length=24, unique=True)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="cases", verbose_name=_("đơn vị")
    )
    received_by_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Đơn vị có trang đã nhận tin (trước khi chuyển)."),
    )
    channel_account = models.ForeignKey(
        "channels.ChannelAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    conversation = models.ForeignKey(
        "cases.Conversation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    contact = models.ForeignKey(
        "cases.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    intent = models.CharField(
        _("loại"), max_length=16, choices=Intent.choices, default=Intent.UNKNOWN
    )
    category = models.CharField(_("lĩnh vực"), max_length=32, blank=True)
    urgency = models.CharField(_("mức khẩn"), max_length=16, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("kết quả"), max_length=32, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("ghi chú kết quả"), blank=True)
    handed_over_to = models.CharField(_("chuyển tới"), max_length=200, blank=True)
    summary = models.CharField(_("tóm tắt"), max_length=300, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    # Tipster protection: anonymous (no identity at all) or secrecy asked for.
    is_anonymous = models.BooleanField(_("ẩn danh"), default=False)
    secrecy_requested = models.BooleanField(_("yêu cầu giữ bí mật"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_cases"
    )
    # Opened from a message of another case of the same conversation (a question after a
    # tip): the two stay linked, each with its own classification and clocks.
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_cases",
        verbose_name=_("tách từ vụ việc"),
    )

    # Every step is a timestamp: KPIs are computed from these, never typed in.
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    classified_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    unread = models.BooleanField(default=True)
    # Bookkeeping for lists and sync clients (docs/search.md). `updated_at` moves on every
    # save of the row (`save()` adds it to `update_fields`), so `updated_since` misses nothing.
    updated_at = models.DateTimeField(auto_now=True)
    # The earliest due time of the case's running or breached clocks, kept by the clocks
    # services: "overdue" is `next_deadline_at < now` on an index, not a subquery per row.
    next_deadline_at = models.DateTimeField(null=True, blank=True)
    # The whole thread without diacritics, lower case (`lib.vntext.fold`), led by the code's
    # random part: what the console's search reads (a trigram index on PostgreSQL).
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-last_message_at"]
        # One index per list the console and the API serve (each sort, each common filter),
        # so that a page of 30 is an index walk, not a sort of the visible set (docs/search.md).
        indexes = [
            models.Index(
                fields=["unit", "status", "-last_message_at"], name="case_unit_status_recent"
            ),
            models.Index(fields=["status", "-last_message_at"], name="case_status_recent"),
            models.Index(fields=["assigned_to", "status"], name="case_assignee_status"),
            models.Index(fields=["-last_message_at", "-id"], name="case_recent"),
            models.Index(fields=["unit", "-last_message_at", "-id"], name="case_unit_recent"),
            models.Index(
                fields=["-last_message_at", "-id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="case_open_recent",
            ),
            models.Index(
                fields=["-last_message_at", "-id"],
                condition=~models.Q(status__in=OPEN_STATUSES),
                name="case_done_recent",
            ),
            models.Index(fields=["category", "-last_message_at", "-id"], name="case_cat_recent"),
            models.Index(fields=["urgency", "-last_message_at", "-id"], name="case_urg_recent"),
            models.Index(
                fields=["category", "urgency", "-last_message_at", "-id"],
                name="case_cat_urg_recent",
            ),
            # The duty desk filters open cases by category and urgency most of all: without
            # these PostgreSQL AND-ed the bitmaps of all fraud and all high cases (78 ms).
            models.Index(
                fields=["category", "-last_message_at", "-id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="case_open_cat_recent",
            ),
            models.Index(
                fields=["urgency", "-last_message_at", "-id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="case_open_urg_recent",
            ),
            models.Index(
                fields=["assigned_to", "-last_message_at", "-id"], name="case_assignee_recent"
            ),
            models.Index(fields=["-opened_at", "-id"], name="case_opened_recent"),
            models.Index(
                fields=["next_deadline_at", "id"],
                condition=models.Q(next_deadline_at__isnull=False),
                name="case_next_deadline",
            ),
            models.Index(fields=["updated_at", "id"], name="case_updated"),
        ]
        verbose_name = _("tin báo / vụ việc")
        verbose_name_plural = _("tin báo / vụ việc")

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Bookkeeping, not business logic: a partial save still moves `updated_at`, or a
        # client syncing with `updated_since` would miss the change.
        fields = kwargs.get("update_fields")
        if fields is not None and "updated_at" not in fields:
            kwargs["update_fields"] = [*fields, "updated_at"]
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_protected(self) -> bool:
        """Shown everywhere the case appears: the tipster asked for secrecy or is anonymous."""
        return self.is_anonymous or self.secrecy_requested


class CaseEvent(models.Model):
    """The case timeline: who did what, when and why. Never contains identity data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=32)
    text = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    # Rows deferred by a worker's batch are written before any query of the timeline.
    objects = txbatch.FlushingQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class SavedFilter(models.Model):
    """An officer's own filter of the case list (one each), kept as the list's query string
    after it was parsed and re-encoded (nothing unchecked is stored)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_filter"
    )
    query = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bộ lọc đã lưu")
        verbose_name_plural = _("bộ lọc đã lưu")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.query}"
