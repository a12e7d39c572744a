from django.urls import path

from binhyen.vault import views

app_name = "vault"

urlpatterns = [
    path("vu-viec/<int:pk>/danh-tinh/", views.reveal, name="reveal"),
    path("vu-viec/<int:pk>/giu-bi-mat/", views.protect, name="protect"),
    path("vu-viec/<int:pk>/xoa-danh-tinh/", views.erase, name="erase"),
    path("xuat/vu-viec.csv", views.export_cases, name="export"),
]
