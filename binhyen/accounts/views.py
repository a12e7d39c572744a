"""Staff account pages: the second sign-in step, 2FA enrolment, recovery codes, password
change, and the page shown when sign-in is locked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from binhyen.accounts import services, sessions
from binhyen.accounts.backends import client_ip
from binhyen.accounts.models import User
from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record, username_fingerprint


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required guarantees it


@never_cache
@login_required
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.has_second_factor(user):
        return redirect(f"{reverse('accounts:otp-enrol')}?next={_next(request)}")
    if sessions.second_factor_done(request.session, user) and settings.REQUIRE_2FA:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.otp_verify(request=request, user=user, token=form.cleaned_data["code"])
        except services.OtpError as exc:
            form.add_error("code", str(exc))
        else:
            return redirect(_next(request))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _next(request)}, status=200
    )


@never_cache
@login_required
def otp_enrol_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if services.has_second_factor(user) and not sessions.second_factor_done(request.session, user):
        # Enrolling again (a new phone) needs the current second factor first.
        return redirect(f"{reverse('accounts:otp-verify')}?next={reverse('accounts:otp-enrol')}")
    device = services.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.otp_enrol_confirm(
                request=request, user=user, token=form.cleaned_data["code"]
            )
        except services.OtpError as exc:
            form.add_error("code", str(exc))
        else:
            response = render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
            response["Cache-Control"] = "no-store, private"
            return response
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            # segno's SVG, built here from our own otpauth:// URL (no user input in it).
            "qr": mark_safe(services.qr_svg(device)),  # noqa: S308
            "secret": services.manual_secret(device),
            "next": _next(request),
        },
    )


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "has_2fa": services.has_second_factor(user),
            "required": settings.REQUIRE_2FA,
            "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
            "max_hours": settings.SESSION_MAX_SECONDS // 3600,
        },
    )


@never_cache
@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sessions.second_factor_done(request.session, user) or not services.has_second_factor(
        user
    ):
        return redirect(f"{reverse('accounts:otp-verify')}?next={reverse('accounts:security')}")
    codes = services.otp_recovery_codes_renew(request=request, user=user)
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:security")},
    )
    response["Cache-Control"] = "no-store, private"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own, with the police password policy (settings.AUTH_PASSWORD_VALIDATORS).
    Every other session of the account ends (its session hash no longer matches)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request, _("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị kết thúc.")
        )
        return response


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *a: Any, **k: Any
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a clear page, 429, audited."""
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    audit_record(
        action=AuditAction.AUTH_LOCKED_OUT,
        actor=None,
        target=user,
        summary="Đăng nhập bị tạm khóa do sai nhiều lần",
        details={
            "username_known": user is not None,
            "username_fingerprint": username_fingerprint(username),
            "source_fingerprint": username_fingerprint("ip:" + client_ip(request)),
        },
        request=request,
    )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
