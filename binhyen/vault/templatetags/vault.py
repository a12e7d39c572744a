"""The identity panel of the case page: pseudonym, protection, and the audited doors."""

from __future__ import annotations

from typing import Any

from django import template

from binhyen.vault.access import can_erase, can_reveal
from binhyen.vault.services import REASON_MIN_CHARS

register = template.Library()


@register.inclusion_tag("vault/_panel.html", takes_context=True)
def identity_panel(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    case = context["case"]
    user = getattr(request, "user", None)
    contact = case.contact
    identity = contact.identity if contact is not None else None
    return {
        "case": case,
        "contact": contact,
        "erased": bool(identity is not None and identity.is_erased),
        "erased_at": identity.erased_at if identity is not None else None,
        "has_identity": bool(identity is not None and not identity.is_erased and identity.data),
        "may_reveal": user is not None and can_reveal(user, case),
        "may_erase": user is not None and can_erase(user, case),
        "reason_min": REASON_MIN_CHARS,
    }
