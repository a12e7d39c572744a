"""Public pages for citizens (no sign-in, no cookies)."""

from django.urls import path

from binhyen.tips import views

app_name = "tips"

urlpatterns = [
    path("", views.tip_form, name="form"),
    path("tra-cuu/", views.status_login, name="status"),
    path("tra-cuu/nhan-tin/", views.status_message, name="status-message"),
    path("tra-cuu/danh-gia/", views.status_rate, name="status-rate"),
]
