from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.knowledge.models import Procedure


class ProcedureForm(forms.ModelForm):  # type: ignore[type-arg]
    note = forms.CharField(label=_("Ghi chú thay đổi"), max_length=300, required=False)

    class Meta:
        model = Procedure
        fields = [
            "slug",
            "area",
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
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ("summary", "audience", "documents", "steps", "where", "fees", "legal_basis")
        } | {f: forms.Textarea(attrs={"rows": 4}) for f in ("synonyms", "examples", "sources")}


class AnswerForm(forms.Form):
    slug = forms.SlugField(max_length=80)
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))
    suggested = forms.CharField(max_length=400, required=False)
    client_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class SettingForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    auto_answer = forms.BooleanField(label=_("Tự động trả lời câu hỏi thủ tục"), required=False)
    min_score = forms.FloatField(label=_("Điểm tin cậy tối thiểu"), min_value=0.2, max_value=1.0)


class ResolveForm(forms.Form):
    """An editor's decision on an unanswered question: out of scope, or the entry answering it."""

    action = forms.ChoiceField(choices=[("out_of_scope", "out_of_scope"), ("link", "link")])
    slug = forms.SlugField(max_length=80, required=False)

    def clean(self) -> dict[str, object]:
        data: dict[str, object] = super().clean() or {}
        if data.get("action") == "link" and not data.get("slug"):
            raise forms.ValidationError(_("Chọn thủ tục trả lời câu hỏi này."))
        return data
