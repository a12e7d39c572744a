"""Labels for the codes the console shows (codes are a contract; people read words)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

URGENCY = {"critical": _("Khẩn cấp"), "high": _("Khẩn"), "normal": _("Bình thường")}
CATEGORY = {
    "public_order": _("Gây rối trật tự"),
    "theft_robbery": _("Trộm cắp, cướp"),
    "drugs": _("Ma túy"),
    "gambling": _("Cờ bạc"),
    "fraud": _("Lừa đảo"),
    "loan_shark": _("Tín dụng đen"),
    "traffic": _("Giao thông"),
    "fire_rescue": _("Cháy nổ, cứu nạn"),
    "domestic_child": _("Bạo lực gia đình, trẻ em"),
    "environment": _("Môi trường"),
    "suspicious": _("Đối tượng khả nghi"),
    "other_crime": _("Vi phạm khác"),
}


@register.filter
def urgency_label(code: str) -> str:
    return str(URGENCY.get(code, code))


@register.filter
def category_label(code: str) -> str:
    return str(CATEGORY.get(code, code))


@register.filter
def ago(value: object) -> str:
    """“5 phút trước” — Django's Vietnamese catalog lacks its timesince strings."""
    from datetime import datetime

    from django.utils import timezone
    from django.utils.translation import gettext

    if not isinstance(value, datetime):
        return ""
    seconds = max(0, int((timezone.now() - value).total_seconds()))
    if seconds < 60:
        return gettext("vừa xong")
    for size, unit in ((86400, gettext("ngày")), (3600, gettext("giờ")), (60, gettext("phút"))):
        if seconds >= size:
            return gettext("%(n)d %(unit)s trước") % {"n": seconds // size, "unit": unit}
    return ""
