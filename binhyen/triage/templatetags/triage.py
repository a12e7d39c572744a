"""The triage panel of the case page (``{% triage_panel case %}``).

The case page belongs to the cases app; it includes ``triage/_panel.html``, which calls
this tag, so everything the panel needs is read here with the officer's permissions.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from binhyen.accounts.access import Cap, has_cap_anywhere, sees_everything, transfer_targets
from binhyen.cases.access import cases_for_user
from binhyen.cases.forms import CATEGORIES, URGENCIES
from binhyen.cases.models import Case, Intent
from binhyen.lib.triage.triager import confidence_words
from binhyen.triage import routing
from binhyen.triage.models import Correction, DuplicateCandidate
from binhyen.triage.services import (
    LOW_CONFIDENCE,
    candidate_units,
    confidence_of,
    describe,
    km_words,
    latest_suggestion,
)
from binhyen.units.models import Area

register = template.Library()

FIELD_LABELS = dict(Correction.Field.choices)
INTENTS = [(v, label) for v, label in Intent.choices if v != Intent.UNKNOWN]
# Suggestions stored before reasons were written in words: "mô hình thống kê triage-v1-… (0.55)".
_OLD_MODEL_LINE = re.compile(r"^mô hình thống kê \S+ \((\d(?:\.\d+)?)\)$")


def reason_in_words(line: str) -> str:
    """A stored reason as an officer reads it (no model ids, probabilities as per cent)."""
    m = _OLD_MODEL_LINE.match(line)
    return confidence_words(float(m.group(1))) if m else line


def technical_detail_allowed(user: Any) -> bool:
    """Model ids and raw scores are for administrators, one click away."""
    return sees_everything(user) or has_cap_anywhere(user, Cap.ACCOUNTS_MANAGE)


def _province_areas(case: Case) -> list[Area]:
    root = case.unit.path.strip("/").split("/")[0]
    qs = Area.objects.filter(kind__in=routing.COMMUNE_AREA_KINDS).only("code", "name")
    within = qs.filter(parent__code=root)
    return list((within if within.exists() else qs).order_by("name"))


@register.inclusion_tag("triage/panel.html", takes_context=True)
def triage_panel(context: template.Context, case: Case) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    s = latest_suggestion(case)
    out: dict[str, Any] = {"case": case, "suggestion": s, "csrf_token": context.get("csrf_token")}
    if s is not None:
        candidates = candidate_units(s)
        allowed = set(
            transfer_targets(user, case)
            .filter(pk__in=[c.unit.pk for c in candidates])
            .values_list("pk", flat=True)
        )
        names = dict(Area.objects.filter(code__in=s.place_codes).values_list("code", "name"))
        reasons = [
            (
                FIELD_LABELS.get(k, k),
                [reason_in_words(line) for line in v],
                s.confidence.get(k) is not None and s.confidence[k] < LOW_CONFIDENCE,
            )
            for k, v in s.reasons.items()
            if k in ("intent", "category", "urgency")
        ]
        sure = confidence_of(s.confidence)
        out.update(
            confidence=None if sure is None else round(sure * 100),
            unsure=sure is not None and sure < LOW_CONFIDENCE and not s.confirmed_at,
            technical=technical_detail_allowed(user),
            described=describe(s.intent, s.category, s.urgency) if s.intent else "",
            reasons=reasons,
            places=[(c, names.get(str(c), str(c))) for c in s.place_codes],
            candidates=[(c, c.unit.pk in allowed) for c in candidates if not c.near],
            near=[(c, c.unit.pk in allowed) for c in candidates if c.near],
            own_near=next(
                (km_words(float(n["km"])) for n in s.nearest if n["code"] == case.unit.code),
                None,
            ),
            corrections=list(s.corrections.select_related("officer")[:10]),
            intents=INTENTS,
            categories=CATEGORIES,
            urgencies=URGENCIES,
            areas=_province_areas(case),
            is_tip=(case.intent if case.intent != Intent.UNKNOWN else s.intent) == Intent.TIP,
        )
    visible = cases_for_user(user)
    out["duplicates"] = [
        (row, row.other if row.case_id == case.pk else row.case)
        for row in DuplicateCandidate.objects.filter(
            Q(case=case) | Q(other=case), dismissed_at__isnull=True
        )
        .filter(case__in=visible, other__in=visible)
        .filter(case__merged_into__isnull=True, other__merged_into__isnull=True)
        .filter(case__status__in=Case.OPEN_STATUSES, other__status__in=Case.OPEN_STATUSES)
        .select_related("case__unit", "other__unit")
        .order_by("-score")[:5]
    ]
    out["merged"] = list(case.merged_cases.filter(pk__in=visible.values("pk")).only("pk", "code"))
    return out
