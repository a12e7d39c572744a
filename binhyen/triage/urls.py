"""Triage actions on the case page, under the case's own address (/tin-bao/<pk>/phan-loai/…)."""

from django.urls import path

from binhyen.triage import views

app_name = "triage"

urlpatterns = [
    path("<int:pk>/phan-loai/xac-nhan/", views.confirm, name="confirm"),
    path("<int:pk>/phan-loai/sua/", views.correct, name="correct"),
    path("<int:pk>/phan-loai/chuyen/", views.transfer, name="transfer"),
    path("<int:pk>/phan-loai/gop/", views.merge, name="merge"),
    path("<int:pk>/phan-loai/khong-trung/", views.dismiss, name="dismiss"),
    path("<int:pk>/phan-loai/tach/", views.unmerge, name="unmerge"),
]
