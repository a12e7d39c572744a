"""The knowledge panel of the case page (``{% knowledge_panel case %}``).

The case page belongs to the cases app; for question cases it includes
``knowledge/_panel.html``, which calls this tag (the case page already checked that the
officer may work on the case)."""

from __future__ import annotations

import uuid
from typing import Any

from django import template

from binhyen.cases.models import Case, Intent
from binhyen.knowledge import search, services
from binhyen.knowledge.models import Answer

register = template.Library()


@register.inclusion_tag("knowledge/panel.html", takes_context=True)
def knowledge_panel(context: template.Context, case: Case) -> dict[str, Any]:
    out: dict[str, Any] = {"case": case, "csrf_token": context.get("csrf_token"), "matches": []}
    out["window"] = context.get("window")
    out["sent"] = list(
        Answer.objects.filter(case=case, kind__in=[Answer.Kind.AUTOMATIC, Answer.Kind.OFFICER])
        .select_related("procedure")
        .order_by("at")
    )
    if case.intent != Intent.QUESTION:
        return out
    text = services.question_text(case)
    matches = search.search(text) if text else []
    out["suggested"] = ",".join(m.procedure.slug for m in matches)
    out["matches"] = [
        {
            "procedure": m.procedure,
            "score": m.score,
            "draft": services.draft_text(m.procedure),
            "token": uuid.uuid4().hex,
        }
        for m in matches
    ]
    return out
