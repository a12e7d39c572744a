"""The public web form and the status page forms (declared schemas of what citizens send)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from binhyen.lib.media import CleanUpload, MediaError, MediaUnavailable, clean_upload
from binhyen.tips import places
from binhyen.tips.services import CATEGORY_LABELS, WHEN_LABELS, TipReport

MAX_FILES = 4
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 25 * 1024 * 1024
MAX_REQUEST_FILE_BYTES = 40 * 1024 * 1024
MAX_TEXT = 5000
# Vietnam, generously: a pin outside is a typo (or a joke), not a place to send police.
LAT_RANGE = (7.0, 24.0)
LON_RANGE = (101.0, 118.0)
_COORDS = re.compile(r"^\s*(-?\d{1,2}(?:[.,]\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


def clean_files(files: list[UploadedFile[bytes]]) -> list[CleanUpload]:
    """Check each file by its content and strip its metadata; errors in plain words."""
    if len(files) > MAX_FILES:
        raise forms.ValidationError(
            _("Chỉ gửi được tối đa %(n)d ảnh hoặc video mỗi lần.") % {"n": MAX_FILES}
        )
    out = []
    for f in files:
        if f.size and f.size > MAX_VIDEO_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (ảnh tối đa 10 MB, video tối đa 25 MB)."))
        try:
            out.append(
                clean_upload(
                    f.read(), max_image_bytes=MAX_IMAGE_BYTES, max_video_bytes=MAX_VIDEO_BYTES
                )
            )
        except MediaUnavailable as exc:
            raise forms.ValidationError(
                _("Hiện chưa nhận được video qua biểu mẫu; hãy gửi ảnh hoặc kể lại bằng lời.")
            ) from exc
        except MediaError as exc:
            if "large" in str(exc):
                raise forms.ValidationError(
                    _("Tệp quá lớn (ảnh tối đa 10 MB, video tối đa 25 MB).")
                ) from exc
            raise forms.ValidationError(
                _("Chỉ nhận ảnh (JPEG, PNG, GIF, WebP) và video (MP4, MOV, 3GP).")
            ) from exc
    return out


def _choices(labels: dict[str, str], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *labels.items()]


class TipForm(forms.Form):
    what = forms.CharField(
        label=_("Chuyện gì đã xảy ra?"),
        help_text=_("Kể điều bạn thấy hoặc biết: ai, làm gì, phương tiện, đặc điểm nhận dạng…"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Hãy cho biết chuyện gì đã xảy ra.")},
    )
    category = forms.ChoiceField(
        label=_("Loại việc"),
        required=False,
        choices=_choices(CATEGORY_LABELS, "— Không rõ —"),
    )
    when = forms.ChoiceField(
        label=_("Khi nào?"),
        required=False,
        choices=list(WHEN_LABELS.items()),
        widget=forms.RadioSelect,
    )
    occurred_at = forms.DateTimeField(
        label=_("Thời điểm (nếu biết)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Thời điểm chưa đúng, ví dụ: 21/03/2026 20:30.")},
    )
    place = forms.ChoiceField(
        label=_("Ở xã, phường nào?"),
        help_text=_("Có cả tên cũ trước năm 2025 (huyện, xã, phường, thị trấn cũ)."),
        required=False,
        choices=places.choices,
        # public.js adds a search box over it (no diacritics needed); without JS: a list.
        widget=forms.Select(attrs={"data-searchable": "place"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ, nơi xảy ra"),
        help_text=_("Số nhà, đường, thôn, buôn, gần chỗ nào…"),
        required=False,
        max_length=300,
    )
    location = forms.CharField(
        label=_("Tọa độ trên bản đồ (không bắt buộc)"),
        help_text=_("Ví dụ: 12.6800, 108.0400 — hoặc bấm “Dùng vị trí hiện tại”."),
        required=False,
        max_length=60,
    )
    uploads = MultipleFileField(
        label=_("Ảnh hoặc video (không bắt buộc)"),
        help_text=_(
            "Tối đa 4 tệp; ảnh đến 10 MB, video đến 25 MB. Thông tin ẩn trong ảnh (vị trí GPS, "
            "loại máy) được xóa trước khi cán bộ xem."
        ),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*"}),
    )
    anonymous = forms.ChoiceField(
        label=_("Bạn muốn gửi ẩn danh?"),
        choices=[
            ("yes", _("Gửi ẩn danh — tôi không để lại thông tin nào về mình")),
            ("no", _("Để lại thông tin liên hệ để cán bộ có thể liên lạc")),
        ],
        initial="yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn gửi ẩn danh hoặc để lại thông tin liên hệ.")},
    )
    name = forms.CharField(label=_("Họ và tên"), required=False, max_length=120)
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=20)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        max_length=200,
        error_messages={"invalid": _("Địa chỉ thư điện tử chưa đúng.")},
    )
    contact_address = forms.CharField(label=_("Địa chỉ của bạn"), required=False, max_length=300)
    secrecy = forms.BooleanField(
        label=_("Đề nghị giữ bí mật danh tính của tôi"),
        help_text=_("Công an có trách nhiệm giữ bí mật họ tên, địa chỉ của người tố giác."),
        required=False,
        initial=True,
    )
    # For programs that fill every box; people never see it.
    website = forms.CharField(required=False, max_length=200)
    started = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    CONTACT_FIELDS = ("name", "phone", "email", "contact_address")

    def clean_what(self) -> str:
        return str(self.cleaned_data["what"]).strip()

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(_("Số điện thoại chưa đúng, ví dụ: 0905 123 456."))
        return phone

    def clean_location(self) -> tuple[float, float] | None:
        raw = str(self.cleaned_data.get("location") or "").strip()
        if not raw:
            return None
        m = _COORDS.match(raw)
        if m is None:
            raise forms.ValidationError(_("Tọa độ chưa đúng, ví dụ: 12.6800, 108.0400."))
        lat, lon = (float(g.replace(",", ".")) for g in m.groups())
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            raise forms.ValidationError(_("Tọa độ không nằm trong lãnh thổ Việt Nam."))
        return round(lat, 6), round(lon, 6)

    def clean_uploads(self) -> list[CleanUpload]:
        return clean_files(self.cleaned_data.get("uploads") or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        anonymous = data.get("anonymous")
        given = [f for f in self.CONTACT_FIELDS if str(data.get(f) or "").strip()]
        if anonymous == "yes" and given:
            for f in given:
                self.add_error(
                    f,
                    _(
                        "Bạn đã chọn gửi ẩn danh: hãy xóa thông tin này, hoặc chọn “Để lại "
                        "thông tin liên hệ”."
                    ),
                )
        if anonymous == "no" and not (data.get("name") or data.get("phone") or data.get("email")):
            self.add_error(
                "phone",
                _("Hãy để lại số điện thoại, thư điện tử hoặc họ tên — hoặc chọn gửi ẩn danh."),
            )
        return data

    def report(self) -> TipReport:
        d = self.cleaned_data
        location = d.get("location")
        return TipReport(
            text=d["what"],
            category=d.get("category") or "",
            when=d.get("when") or "",
            occurred_at=d.get("occurred_at"),
            place=d.get("place") or "",
            address=(d.get("address") or "").strip(),
            latitude=location[0] if location else None,
            longitude=location[1] if location else None,
            anonymous=d.get("anonymous") == "yes",
            secrecy=bool(d.get("secrecy")),
        )

    def identity(self) -> dict[str, str]:
        if self.cleaned_data.get("anonymous") == "yes":
            return {}
        d = self.cleaned_data
        return {
            "name": (d.get("name") or "").strip(),
            "phone": (d.get("phone") or "").strip(),
            "email": (d.get("email") or "").strip(),
            "address": (d.get("contact_address") or "").strip(),
        }


class StatusLoginForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tin báo"),
        max_length=40,
        error_messages={"required": _("Hãy nhập mã tin báo.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=60,
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )


class StatusMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Nhắn cho cán bộ"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    uploads = MultipleFileField(
        label=_("Thêm ảnh hoặc video (không bắt buộc)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*"}),
    )
    access = forms.CharField(widget=forms.HiddenInput, max_length=400)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def clean_uploads(self) -> list[CleanUpload]:
        return clean_files(self.cleaned_data.get("uploads") or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not str(data.get("text") or "").strip() and not data.get("uploads") and not self.errors:
            self.add_error("text", _("Tin nhắn đang trống."))
        return data
