"""Staff sessions: idle and absolute limits, and the second factor before anything else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from binhyen.accounts import sessions

# What a signed-in user may reach before the second factor: signing in and out, the 2FA
# pages, the language switch, static files, and the doors that never use a staff session.
OPEN_BEFORE_2FA = (
    "/dang-nhap/",
    "/dang-xuat/",
    "/tai-khoan/xac-thuc/",
    "/i18n/",
    "/static/",
    "/bao-tin/",
    "/webhooks/",
    "/open311/",
    "/api/",
    "/healthz",
    "/readyz",
)


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        why = sessions.expired(request.session)
        if why:
            logout(request)
            return self._signed_out(request, why)
        sessions.touch(request.session)
        if not request.path.startswith(OPEN_BEFORE_2FA) and not sessions.second_factor_done(
            request.session, user
        ):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:otp-verify')}?{query}")
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, why: str) -> HttpResponse:
        text = (
            _(
                "Phiên làm việc đã hết hạn sau %(minutes)d phút không thao tác. "
                "Vui lòng đăng nhập lại."
            )
            % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
            if why == "idle"
            else _("Phiên làm việc đã hết thời hạn tối đa. Vui lòng đăng nhập lại.")
        )
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"detail": text}, status=401)
        messages.info(request, text)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('login')}?{query}")
