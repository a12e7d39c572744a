"""Messages BinhYen sends to citizens on its own, editable by administrators."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_NOTICES: dict[str, tuple[str, str]] = {
    # code: (description, Vietnamese text with {unit} {code} {opened} {outcome} placeholders)
    "ack_tip": (
        "Xác nhận đã nhận tin báo (tự động, ngay khi nhận)",
        "{unit} đã tiếp nhận tin báo của bạn, mã {code}. Nếu khẩn cấp, hãy gọi ngay 113.",
    ),
    "ack_question": (
        "Xác nhận đã nhận câu hỏi",
        "{unit} đã nhận câu hỏi của bạn (mã {code}) và sẽ trả lời sớm nhất.",
    ),
    "ack_feedback": (
        "Xác nhận đã nhận phản ánh, góp ý",
        "{unit} cảm ơn ý kiến của bạn (mã {code}); chúng tôi sẽ xem xét và phản hồi.",
    ),
    "receipt_notice": (
        "Thông báo tiếp nhận tố giác, tin báo (Khoản 1 Điều 14 TTLT 01/2017)",
        "THÔNG BÁO TIẾP NHẬN: {unit} đã tiếp nhận tố giác, tin báo về tội phạm do bạn cung cấp lúc "
        "{opened} (mã {code}) và đang giải quyết theo quy định của Bộ luật Tố tụng hình sự.",
    ),
    "result_notice": (
        "Thông báo kết quả giải quyết (Khoản 3 Điều 14 TTLT 01/2017)",
        "THÔNG BÁO KẾT QUẢ: tin báo mã {code} đã được {unit} giải quyết: {outcome}. "
        "Cảm ơn bạn đã cung cấp thông tin.",
    ),
    "satisfaction": (
        "Hỏi mức hài lòng khi vụ việc kết thúc (1–5)",
        "Vụ việc mã {code} đã được {unit} xử lý xong. Bạn hài lòng với cách xử lý không? "
        "Hãy trả lời bằng một số từ 1 (rất không hài lòng) đến 5 (rất hài lòng).",
    ),
}


class NoticeTemplate(models.Model):
    code = models.CharField(max_length=32, unique=True)
    description = models.CharField(_("mô tả"), max_length=200)
    text = models.TextField(_("nội dung"))
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("mẫu tin nhắn tự động")
        verbose_name_plural = _("mẫu tin nhắn tự động")

    def __str__(self) -> str:
        return self.code
