"""The public web tip form and status page, and the officers' held queue.

Public views never touch the session (no cookie is set), never log anything about the
client, and keep nothing about the request beyond what the citizen typed (privacy.py).
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from binhyen.accounts.access import Cap, has_cap, unit_scope_q
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.audit.services import audit_access_denied
from binhyen.monitoring import services as satisfaction
from binhyen.tips import access, quota, services, spam, throttle
from binhyen.tips.forms import (
    MAX_REQUEST_FILE_BYTES,
    StatusLoginForm,
    StatusMessageForm,
    TipForm,
)
from binhyen.tips.models import Tip
from binhyen.tips.privacy import bound_uploads, public_view
from binhyen.tips.status import tip_status

# --- public ---------------------------------------------------------------------------------


def _too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "tips/too_large.html", status=413)


def _form_page(request: HttpRequest, form: TipForm, *, status: int = 200) -> HttpResponse:
    had_files = bool(request.FILES) if request.method == "POST" else False
    return render(
        request,
        "tips/form.html",
        {"form": form, "reattach": had_files and form.errors},
        status=status,
    )


@public_view
@require_http_methods(["GET", "POST"])
def tip_form(request: HttpRequest) -> HttpResponse:
    account = services.web_form_account()
    if account is None:
        return render(request, "tips/closed.html", status=503)
    if request.method == "GET":
        return _form_page(request, TipForm(initial={"started": spam.form_token()}))
    if not bound_uploads(request, MAX_REQUEST_FILE_BYTES):
        return _too_large(request)
    form = TipForm(request.POST, request.FILES)
    if getattr(request, "tips_upload_too_large", False):
        return _too_large(request)
    if not form.is_valid():
        # Keep the original form token: fixing a mistake is not "sent too fast".
        data = request.POST.copy()
        if spam.form_age(str(data.get("started", ""))) is None:
            data["started"] = spam.form_token()
        form.data = data
        return _form_page(request, form, status=400)
    reasons = spam.hold_reasons(
        request=request,
        text=form.cleaned_data["what"],
        token=str(form.cleaned_data.get("started") or ""),
        honeypot=str(form.cleaned_data.get("website") or ""),
    )
    try:
        receipt = services.tip_submit(
            channel_account=account,
            report=form.report(),
            identity=form.identity(),
            uploads=form.cleaned_data.get("uploads") or [],
            hold_reasons=reasons,
            client_key=throttle.client_bucket(request, quota.WINDOW),
        )
    except services.TipRefused as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form, status=429)
    return render(
        request,
        "tips/submitted.html",
        {
            "code": receipt.code,
            "password": receipt.password,
            "anonymous": form.report().anonymous,
            "unit_name": receipt.tip.unit.name,
            "held": receipt.tip.state == Tip.State.HELD,
        },
    )


def _status_page(
    request: HttpRequest,
    tip: Tip,
    *,
    form: StatusMessageForm | None = None,
    sent: bool = False,
    status: int = 200,
    rated: bool = False,
    rating_error: str = "",
) -> HttpResponse:
    form = form or StatusMessageForm(
        initial={"access": access.status_token(tip), "nonce": secrets.token_hex(12)}
    )
    if form.is_bound:
        # A fresh token and nonce for the next message; what was typed stays.
        data = request.POST.copy()
        data["access"] = access.status_token(tip)
        if sent:
            data["nonce"] = secrets.token_hex(12)
            data["text"] = ""
        form.data = data
    survey = satisfaction.survey_pending_for(tip.case) if tip.case is not None else None
    return render(
        request,
        "tips/status.html",
        {
            "status": tip_status(tip),
            "form": form,
            "sent": sent,
            "survey": survey,
            "access": access.status_token(tip),
            "rated": rated,
            "rating_error": rating_error,
        },
        status=status,
    )


@public_view
@require_http_methods(["GET", "POST"])
def status_login(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "tips/status_login.html", {"form": StatusLoginForm()})
    form = StatusLoginForm(request.POST)
    if not form.is_valid():
        return render(request, "tips/status_login.html", {"form": form}, status=400)
    try:
        tip = access.tip_open(
            code=form.cleaned_data["code"],
            password=form.cleaned_data["password"],
            client_key=throttle.client_bucket(request, access.FAIL_WINDOW),
        )
    except access.TipLocked as exc:
        form.add_error(None, str(exc))
        return render(request, "tips/status_login.html", {"form": form}, status=429)
    except access.TipError as exc:
        form.add_error(None, str(exc))
        return render(request, "tips/status_login.html", {"form": form}, status=403)
    services.tip_viewed(tip=tip)
    return _status_page(request, tip)


@public_view
@require_POST
def status_message(request: HttpRequest) -> HttpResponse:
    if not bound_uploads(request, MAX_REQUEST_FILE_BYTES):
        return _too_large(request)
    form = StatusMessageForm(request.POST, request.FILES)
    if getattr(request, "tips_upload_too_large", False):
        return _too_large(request)
    tip = access.tip_from_token(str(request.POST.get("access", "")))
    if tip is None:
        notice = _("Phiên xem đã hết hạn. Hãy nhập lại mã tin báo và mật khẩu.")
        return render(
            request,
            "tips/status_login.html",
            {"form": StatusLoginForm(), "notice": notice},
            status=403,
        )
    if not form.is_valid():
        return _status_page(request, tip, form=form, status=400)
    try:
        services.tip_message_send(
            tip=tip,
            text=form.cleaned_data.get("text") or "",
            nonce=form.cleaned_data["nonce"],
            uploads=form.cleaned_data.get("uploads") or [],
            client_key=throttle.client_bucket(request, quota.WINDOW),
        )
    except access.TipError as exc:
        form.add_error("text", str(exc))
        status = 429 if isinstance(exc, services.TipRefused) else 400
        return _status_page(request, tip, form=form, status=status)
    tip.refresh_from_db()
    return _status_page(request, tip, form=form, sent=True)


@public_view
@require_POST
def status_rate(request: HttpRequest) -> HttpResponse:
    """The citizen answers "Bạn hài lòng với cách xử lý không?" (1–5) on the status page."""
    tip = access.tip_from_token(str(request.POST.get("access", "")))
    if tip is None:
        notice = _("Phiên xem đã hết hạn. Hãy nhập lại mã tin báo và mật khẩu.")
        return render(
            request,
            "tips/status_login.html",
            {"form": StatusLoginForm(), "notice": notice},
            status=403,
        )
    raw = str(request.POST.get("score", ""))
    try:
        if tip.case is None or not raw.isdigit():
            raise satisfaction.MonitoringError(_("Hãy chọn một mức từ 1 đến 5."))
        satisfaction.satisfaction_record(case=tip.case, score=int(raw))
    except satisfaction.MonitoringError as exc:
        return _status_page(request, tip, status=400, rating_error=str(exc))
    return _status_page(request, tip, rated=True)


# --- console: the held queue ------------------------------------------------------------------


def _held_for(request: AuthenticatedHttpRequest) -> QuerySet[Tip]:
    return Tip.objects.filter(unit_scope_q(request.user, prefix="unit__")).select_related(
        "unit", "reviewed_by"
    )


@login_required
def held_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    state = request.GET.get("state", Tip.State.HELD)
    if state not in {Tip.State.HELD, Tip.State.DISCARDED}:
        state = Tip.State.HELD
    qs = _held_for(request).filter(state=state).order_by("-created_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = []
    for tip in page:
        report = (tip.held or {}).get("report") or {}
        rows.append(
            {
                "tip": tip,
                "text": report.get("text", ""),
                "files": len((tip.held or {}).get("files", [])),
                "followups": len((tip.held or {}).get("followups", [])),
                "named": not report.get("anonymous", True),
                "reasons": [services.reason_text(r) for r in tip.hold_reasons],
            }
        )
    return render(
        request,
        "tips/held_list.html",
        {"page": page, "rows": rows, "state": state},
    )


def _held_tip(request: AuthenticatedHttpRequest, pk: int) -> Tip:
    """A held tip the user may decide on: 404 (recorded) outside their units, 403
    (recorded) when their role only reads."""
    tip = _held_for(request).filter(pk=pk).first()
    if tip is None:
        hidden = Tip.objects.filter(pk=pk).first()
        if hidden is not None:
            audit_access_denied(
                actor=request.user,
                verb="work",
                channel="page",
                reason="outside_scope",
                target=hidden,
                request=request,
            )
        raise Http404("Không tìm thấy tin")
    if not has_cap(request.user, tip.unit, Cap.CASE_WORK):
        audit_access_denied(
            actor=request.user,
            verb="work",
            channel="page",
            reason="role",
            target=tip,
            request=request,
        )
        raise PermissionDenied("Vai trò của bạn không cho phép thao tác này.")
    return tip


@login_required
@require_POST
def held_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tip = _held_tip(request, pk)
    try:
        case = services.tip_release(tip=tip, actor=request.user)
    except access.TipError as exc:
        messages.error(request, str(exc))
        return redirect("tips-console:held")
    messages.success(request, _("Đã chuyển tin vào hộp thư: %(code)s") % {"code": case.code})
    return redirect("tips-console:held")


@login_required
@require_POST
def held_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tip = _held_tip(request, pk)
    try:
        services.tip_discard(
            tip=tip,
            actor=request.user,
            note=str(request.POST.get("note", ""))[:300],
        )
    except access.TipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã loại tin (có thể khôi phục trong 30 ngày)."))
    return redirect("tips-console:held")
