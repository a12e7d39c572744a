"""Console views of the vault: the audited identity reveal, protection, erasure, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from binhyen.accounts.access import home_unit, visible_units
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.audit.services import audit_access_denied
from binhyen.cases import listing
from binhyen.cases.access import cases_for_user, get_case_for_user, get_case_to_work
from binhyen.units.models import Unit
from binhyen.vault import services
from binhyen.vault.exports import cases_export_csv


def _reason(request: HttpRequest) -> str:
    return str(request.POST.get("reason", ""))[:1000]


@never_cache
@login_required
@require_POST
def reveal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, verb="reveal", request=request)
    try:
        revealed = services.identity_reveal(
            case=case,
            actor=request.user,
            reason=_reason(request),
            request=request,
        )
    except services.VaultError as exc:
        messages.error(request, str(exc))
        return redirect("cases:detail", pk=case.pk)
    response = render(request, "vault/reveal.html", {"case": case, "revealed": revealed})
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def protect(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    try:
        services.case_protection_set(
            case=case,
            actor=request.user,
            secrecy=True,
            reason=_reason(request).strip()[:300],
        )
    except services.VaultError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã ghi nhận: người báo tin yêu cầu giữ bí mật danh tính."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, verb="erase", request=request)
    try:
        services.identity_erase_request(
            case=case,
            actor=request.user,
            reason=_reason(request),
            request=request,
        )
    except services.VaultError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã xóa danh tính người báo tin; lịch sử vụ việc được giữ."))
    if not cases_for_user(request.user).filter(pk=case.pk).exists():
        return redirect("cases:inbox")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_GET
def export_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = str(request.GET.get("unit", "")).strip()[:32]
    unit = (
        visible_units(request.user).filter(code=code).first() if code else home_unit(request.user)
    )
    if not isinstance(unit, Unit):
        hidden = Unit.objects.filter(code=code).first() if code else None
        if hidden is not None:
            audit_access_denied(
                actor=request.user,
                verb="export",
                channel="export",
                reason="outside_scope",
                target=hidden,
                request=request,
            )
        raise Http404("Không tìm thấy đơn vị")
    try:
        body = cases_export_csv(
            user=request.user,
            unit=unit,
            filters=listing.Filters.parse(request.GET, default_status="all"),
            request=request,
        )
    except services.VaultError as exc:
        audit_access_denied(
            actor=request.user,
            verb="export",
            channel="export",
            reason="role",
            target=unit,
            request=request,
        )
        return HttpResponse(str(exc), status=403, content_type="text/plain; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vu-viec-{unit.code}-{stamp}.csv"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
