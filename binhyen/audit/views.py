"""The audit trail console: commanders browse their subtree's log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from binhyen.accounts.access import Cap, has_cap_anywhere
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.audit.access import audit_scope_for
from binhyen.audit.forms import AuditFilterForm
from binhyen.audit.words import readings

PAGE_SIZE = 50


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        scope = audit_scope_for(request.user)
    except PermissionDenied:
        return render(request, "audit/forbidden.html", status=403)
    form = AuditFilterForm(request.GET or None, units=scope.units())
    entries = form.apply(scope.entries()) if form.is_bound else scope.entries()
    entries = entries.select_related("actor_unit", "target_unit").order_by("-seq")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = list(page.object_list)
    words = readings(shown)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "rows": [(e, words[e.seq]) for e in shown],
            "form": form,
            "query": query.urlencode(),
            "everything": scope.everything,
            # Keys, ids and unit paths as recorded: administrators only, one click away.
            "technical": request.user.is_superuser
            or has_cap_anywhere(request.user, Cap.ACCOUNTS_MANAGE),
        },
    )
