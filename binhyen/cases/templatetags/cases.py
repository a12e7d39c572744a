"""Labels for the codes the console shows (codes are a contract; people read words)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from binhyen.cases.models.case import Category, Intent, Urgency
from binhyen.lib.links import public_http_url
from binhyen.lib.words import elapsed_vi

register = template.Library()

URGENCY = dict(Urgency.choices)
CATEGORY = dict(Category.choices)
INTENT = dict(Intent.choices)


@register.filter
def urgency_label(code: str) -> str:
    return str(URGENCY.get(code, code))


@register.filter
def category_label(code: str) -> str:
    return str(CATEGORY.get(code, code))


@register.filter
def field_label(code: str, field: str) -> str:
    """A classification value read as words: ``{{ c.corrected|field_label:c.field }}``."""
    labels = {"intent": INTENT, "category": CATEGORY, "urgency": URGENCY}.get(field, {})
    return str(labels.get(code, code))


@register.filter
def ago(value: object) -> str:
    """“5 phút trước” — Django's Vietnamese catalog lacks its timesince strings."""

    if not isinstance(value, datetime):
        return ""
    seconds = max(0, int((timezone.now() - value).total_seconds()))
    if seconds < 60:
        return gettext("vừa xong")
    for size, unit in ((86400, gettext("ngày")), (3600, gettext("giờ")), (60, gettext("phút"))):
        if seconds >= size:
            return gettext("%(n)d %(unit)s trước") % {"n": seconds // size, "unit": unit}
    return ""


@register.filter
def elapsed(seconds: float | None) -> str:
    """A measured duration in words: ``{{ times.acknowledge|elapsed }}`` → "3 phút 9 giây"."""
    return elapsed_vi(seconds)


@register.filter
def public_link(url: str) -> str:
    """The URL when it may be a clickable link (http(s) to a public host), else ""."""
    return public_http_url(str(url or "")) or ""
