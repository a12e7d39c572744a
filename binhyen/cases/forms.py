from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from binhyen.accounts.models import User
from binhyen.cases import services
from binhyen.cases.models import Outcome
from binhyen.cases.models.case import Category, Urgency
from binhyen.cases.services import MAX_REPLY_CHARS

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case

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


CATEGORIES = Category.choices
URGENCIES = Urgency.choices


class ActionForm(forms.Form):
    """One form for every workflow action; `run()` calls the matching service."""

    action = forms.ChoiceField(choices=[(a, a) for a in services.ACTIONS])
    reason = forms.CharField(required=False, max_length=500)
    intent = forms.ChoiceField(
        required=False,
        choices=[
            ("tip", _("Tin báo")),
            ("question", _("Câu hỏi")),
            ("feedback", _("Phản ánh, góp ý")),
            ("other", _("Khác")),
        ],
    )
    category = forms.ChoiceField(required=False, choices=[("", "—"), *CATEGORIES])
    urgency = forms.ChoiceField(required=False, choices=[("", "—"), *URGENCIES])
    outcome = forms.ChoiceField(required=False, choices=[])
    to = forms.CharField(required=False, max_length=200)
    assignee = forms.IntegerField(required=False)
    extend_by = forms.ChoiceField(
        required=False, choices=[("unit", "unit"), ("procuracy", "procuracy")]
    )
    months = forms.IntegerField(required=False, min_value=1, max_value=2)
    unit = forms.CharField(required=False, max_length=32)

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.case = case
        # The views are login_required: the user is a staff User here.
        self.user: User = user
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [("", "—"), *Outcome.choices]

    def run(self) -> object:
        """The action, through the table the API uses too (cases.services.actions)."""
        d = self.cleaned_data
        data = services.ActionInput(
            reason=d.get("reason") or "",
            intent=d.get("intent") or "",
            category=d.get("category") or "",
            urgency=d.get("urgency") or "",
            outcome=d.get("outcome") or "",
            to=d.get("to") or "",
            unit=d.get("unit") or "",
            assignee=d.get("assignee"),
            extend_by=d.get("extend_by") or "",
            months=d.get("months"),
        )
        return services.case_act(case=self.case, actor=self.user, action=d["action"], data=data)


class DispatchForm(forms.Form):
    team = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, max_length=500)
    dispatch = forms.IntegerField(required=False)
    stage = forms.ChoiceField(
        required=False,
        choices=[
            ("", ""),
            ("en_route", "en_route"),
            ("on_scene", "on_scene"),
            ("cleared", "cleared"),
        ],
    )


class OutcomeForm(forms.Form):
    people_detained = forms.IntegerField(required=False, min_value=0, max_value=100000)
    vehicles_seized = forms.IntegerField(required=False, min_value=0, max_value=100000)
    items = forms.CharField(
        required=False,
        max_length=1000,
        help_text=_("Mỗi dòng một loại: “4 dao”, “2 bình xăng”"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    referrals = forms.CharField(required=False, max_length=2000)
    summary = forms.CharField(required=False, max_length=4000)

    def parsed_items(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for line in (self.cleaned_data.get("items") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            head, _sep, rest = line.partition(" ")
            if head.isdigit() and rest.strip():
                out.append({"name": rest.strip(), "count": int(head)})
            else:
                out.append({"name": line, "count": 1})
        return out
