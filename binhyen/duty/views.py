"""Duty desk pages: who is on duty, alerts, acknowledging, linking one's Zalo."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binhyen.accounts.access import Cap, has_cap, visible_units
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.accounts.models import User
from binhyen.cases.services import CaseError
from binhyen.channels import inbox
from binhyen.channels.models import ChannelAccount, Provider
from binhyen.duty import messenger as links
from binhyen.duty import services
from binhyen.duty.models import MessengerLink, Post, Shift


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required guarantees it


class ShiftForm(forms.Form):
    unit = forms.CharField(max_length=32)
    user = forms.IntegerField()
    post = forms.ChoiceField(choices=Post.choices)
    starts_at = forms.DateTimeField()
    ends_at = forms.DateTimeField()


@login_required
def roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    units = list(visible_units(request.user).order_by("path")[:200])
    shifts = (
        Shift.objects.filter(
            unit__in=units,
            ends_at__gt=now - timedelta(hours=12),
            starts_at__lt=now + timedelta(days=7),
        )
        .select_related("unit", "user")
        .order_by("unit__path", "starts_at")
    )
    manageable = [u for u in units if _may_manage(_user(request), u)]
    return render(
        request,
        "duty/roster.html",
        {
            "now": now,
            "on_duty": [s for s in shifts if s.starts_at <= now < s.ends_at],
            "upcoming": [s for s in shifts if s.starts_at > now][:100],
            "alerts": services.active_alerts_for(_user(request))[:50],
            # Citizens' events of the visible pages that wait too long or failed.
            "inbound": inbox.backlog(
                ChannelAccount.objects.filter(unit__in=units).values_list("pk", flat=True), now
            ),
            "manageable": manageable,
            "posts": Post.choices,
            "staff": User.objects.filter(is_active=True, memberships__unit__in=manageable)
            .distinct()
            .order_by("full_name")[:300],
        },
    )


def _may_manage(user: User, unit: object) -> bool:
    if user.is_superuser:
        return True
    return has_cap(user, unit, Cap.DUTY_MANAGE)  # type: ignore[arg-type]


@login_required
@require_POST
def shift_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ShiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin ca trực không hợp lệ."))
        return redirect("duty:roster")
    d = form.cleaned_data
    unit = visible_units(request.user).filter(code=d["unit"]).first()
    user = User.objects.filter(pk=d["user"], is_active=True).first()
    if unit is None or user is None or not _may_manage(_user(request), unit):
        raise Http404
    try:
        services.shift_create(
            unit=unit,
            user=user,
            post=d["post"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            actor=_user(request),
        )
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thêm ca trực."))
    return redirect("duty:roster")


@login_required
def ringing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The alerts this officer should act on that nobody acknowledged (JSON, read by the
    live client on every console page load and after a reconnect)."""
    alerts = services.ringing_alerts_for(_user(request))
    response = JsonResponse({"alerts": [services.ringing_payload(a) for a in alerts]})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def alert_ack(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alert = services.active_or_recent_alerts_for(_user(request)).filter(pk=pk).first()
    if alert is None:
        raise Http404
    services.alert_acknowledge(alert=alert, actor=request.user)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": "ok", "case": alert.case.code})
    return redirect("cases:detail", pk=alert.case_id)


@login_required
def messenger(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = None
    user = _user(request)
    pages = ChannelAccount.objects.filter(
        provider=Provider.ZALO, is_active=True, unit__in=visible_units(user)
    ).order_by("unit__path")
    if request.method == "POST":
        action = request.POST.get("action", "code")
        try:
            if action == "confirm":
                links.messenger_link_confirm(user=user)
                messages.success(request, _("Đã liên kết Zalo của bạn để nhận cảnh báo."))
                return redirect("duty:messenger")
            if action == "reject":
                links.messenger_link_reject(user=user)
                messages.success(
                    request, _("Đã từ chối tài khoản Zalo đó; mã cũ không còn dùng được.")
                )
                return redirect("duty:messenger")
        except links.LinkError as exc:
            messages.error(request, str(exc))
            return redirect("duty:messenger")
        page = pages.filter(pk=request.POST.get("page") or 0).first()
        if page is None:
            raise Http404
        code = links.messenger_link_start(user=user, channel_account=page)
    link = MessengerLink.objects.filter(user=user).select_related("pending_contact").first()
    return render(
        request,
        "duty/messenger.html",
        {
            "pages": pages[:200],
            "code": code,
            "link": link,
            "pending": links.pending_claim(link),
        },
    )
