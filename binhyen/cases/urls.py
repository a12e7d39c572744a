from django.urls import path

from binhyen.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bo-loc/", views.filter_save, name="filter-save"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/tra-loi/", views.case_reply, name="reply"),
    path("<int:pk>/xu-ly/", views.case_action, name="action"),
    path("<int:pk>/dieu-dong/", views.case_dispatch, name="dispatch"),
    path("<int:pk>/ket-qua/", views.case_outcome, name="outcome"),
    path("<int:pk>/gui-lai/<int:message_id>/", views.message_resend, name="resend"),
    path("<int:pk>/tach/<int:message_id>/", views.message_split, name="split"),
    path("<int:pk>/chuyen-tin/<int:message_id>/", views.message_move, name="move"),
    path("tep/<str:token>/", views.attachment, name="attachment"),
]
