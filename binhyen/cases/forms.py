from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.cases.services import MAX_REPLY_CHARS

MAX_IMAGE_BYTES = 10 * 1024 * 1024


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Trả lời người dân"),
        required=False,
        max_length=MAX_REPLY_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Nhập nội dung trả lời…")}),
    )
    image = forms.ImageField(label=_("Ảnh"), required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def clean_image(self) -> object:
        image = self.cleaned_data.get("image")
        if image is not None and image.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("Ảnh lớn hơn 10 MB."))
        return image

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("image"):
            raise forms.ValidationError(_("Nhập nội dung hoặc chọn ảnh để gửi."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=300)
