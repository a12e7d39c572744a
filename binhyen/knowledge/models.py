"""The knowledge base: procedures citizens ask about, their versions, answers and gaps."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Fields an editor writes; a version stores them all (snapshot) and the diff of their text.
CONTENT_FIELDS = (
    "title",
    "summary",
    "audience",
    "documents",
    "steps",
    "where",
    "fees",
    "processing_time",
    "legal_basis",
    "synonyms",
    "examples",
    "sources",
)
REVIEW_DAYS = 180  # an approved entry is reviewed again within six months


class Procedure(models.Model):
    """One administrative procedure, in Vietnamese, with its review status."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Cần kiểm tra")
        APPROVED = "approved", _("Đã duyệt")

    slug = models.SlugField(_("mã"), max_length=80, unique=True)
    area = models.CharField(_("lĩnh vực"), max_length=40, blank=True)
    title = models.CharField(_("tên thủ tục"), max_length=300)
    summary = models.TextField(_("tóm tắt"), blank=True)
    audience = models.TextField(_("đối tượng"), blank=True)
    documents = models.TextField(_("giấy tờ cần có"), blank=True)
    steps = models.TextField(_("các bước"), blank=True)
    where = models.TextField(_("nơi làm (trực tuyến / cơ quan)"), blank=True)
    fees = models.TextField(_("lệ phí"), blank=True)
    processing_time = models.CharField(_("thời gian giải quyết"), max_length=300, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    synonyms = models.TextField(_("cách người dân hay gọi (mỗi dòng một cách)"), blank=True)
    examples = models.TextField(_("câu hỏi mẫu (mỗi dòng một câu)"), blank=True)
    sources = models.TextField(_("nguồn, ghi chú kiểm tra"), blank=True)
    owner_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("đơn vị quản lý"),
    )
    units = models.ManyToManyField(
        "units.Unit", blank=True, related_name="+", verbose_name=_("áp dụng cho đơn vị")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reviewed_at = models.DateTimeField(_("ngày kiểm tra"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người kiểm tra"),
    )
    review_due = models.DateField(_("hạn kiểm tra lại"), null=True, blank=True)
    folded = models.TextField(blank=True, editable=False)  # for the database's own search
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area", "title"]
        verbose_name = _("thủ tục")
        verbose_name_plural = _("thủ tục")

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def review_overdue(self, today: date | None = None) -> bool:
        day = today or timezone.localdate()
        return self.review_due is not None and self.review_due < day

    def lines(self, field: str) -> list[str]:
        return [x.strip() for x in getattr(self, field).splitlines() if x.strip()]


class ProcedureVersion(models.Model):
    """Every saved change: who, when, the whole entry (snapshot) and what changed (diff)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)  # created | edited | approved | imported
    note = models.CharField(max_length=300, blank=True)
    snapshot = models.JSONField(default=dict)
    diff = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="knowledge_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} #{self.number}"


class UnitSetting(models.Model):
    """A unit's choice about automatic answers."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="+")
    auto_answer = models.BooleanField(_("tự động trả lời câu hỏi thủ tục"), default=False)
    min_score = models.FloatField(_("điểm tin cậy tối thiểu"), default=0.5)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.auto_answer}"


class Answer(models.Model):
    """What was suggested for a question case, and what was sent (the feedback)."""

    class Kind(models.TextChoices):
        SUGGESTED = "suggested", _("Gợi ý")
        OFFICER = "officer", _("Cán bộ gửi")
        AUTOMATIC = "automatic", _("Tự động")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    question = models.TextField(blank=True)
    suggested = models.JSONField(default=list)  # ranked slugs shown
    score = models.FloatField(default=0.0)
    rank = models.IntegerField(null=True, blank=True)  # the chosen entry's rank in `suggested`
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "cases.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Unanswered(models.Model):
    """A question the base could not answer ("câu hỏi chưa có trả lời"), for editors.

    It leaves the list when an officer answers its case, or when an editor marks it out of
    scope (it then becomes a negative example of the search's "no answer" decision) or links
    it to the entry that answers it (it then becomes an example question of that entry).
    """

    class Resolution(models.TextChoices):
        ANSWERED = "answered", _("Cán bộ đã trả lời")
        OUT_OF_SCOPE = "out_of_scope", _("Ngoài phạm vi")
        LINKED = "linked", _("Gắn vào thủ tục")

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    folded = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)
    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case"], name="knowledge_unanswered_once")]
        indexes = [models.Index(fields=["unit", "resolved", "folded"])]

    def __str__(self) -> str:
        return self.folded[:80]
