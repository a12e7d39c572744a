from django.urls import path

from binhyen.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.security, name="security"),
    path("xac-thuc/", views.otp_verify_view, name="otp-verify"),
    path("xac-thuc/dang-ky/", views.otp_enrol_view, name="otp-enrol"),
    path("xac-thuc/ma-khoi-phuc/", views.recovery_codes_renew, name="recovery-codes"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password-change"),
]
