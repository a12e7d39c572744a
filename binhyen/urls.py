from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from binhyen.api import api
from binhyen.channels.zalo.webhook import zalo_webhook
from binhyen.core import views as core_views

# The admin speaks the console's language (not "Trang quản trị cho Django").
admin.site.site_header = _("BinhYen — Quản trị hệ thống")
admin.site.site_title = _("Quản trị BinhYen")
admin.site.index_title = _("Danh mục quản trị")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("webhooks/zalo/", zalo_webhook, name="zalo-webhook"),
    path("api/v1/", api.urls),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", include("binhyen.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("tin-bao/", include("binhyen.cases.urls")),
    path("tin-bao/", include("binhyen.triage.urls")),
    path("nhat-ky/", include("binhyen.audit.urls")),
    path("truc-ban/", include("binhyen.duty.urls")),
    path("bao-tin/", include("binhyen.tips.urls")),
    path("tin-giu-lai/", include("binhyen.tips.urls_console")),
    path("bao-mat/", include("binhyen.vault.urls")),
    path("open311/v2/", include("binhyen.open311.urls")),
    path("giam-sat/", include("binhyen.monitoring.urls")),
    path("", include("binhyen.knowledge.urls")),
    path("quan-tri/", admin.site.urls),
]
