from django.urls import path

from binhyen.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("ca-truc/", views.shift_create, name="shift_create"),
    path("canh-bao/dang-reo/", views.ringing, name="ringing"),
    path("canh-bao/<int:pk>/da-nhan/", views.alert_ack, name="ack"),
    path("zalo-ca-nhan/", views.messenger, name="messenger"),
]
