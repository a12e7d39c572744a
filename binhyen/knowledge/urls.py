from django.urls import path

from binhyen.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("thu-tuc/", views.public_list, name="public_list"),
    path("thu-tuc/<slug:slug>/", views.public_detail, name="public_detail"),
    path("bien-tap-thu-tuc/", views.console_list, name="console_list"),
    path("bien-tap-thu-tuc/moi/", views.console_edit, name="console_new"),
    path("bien-tap-thu-tuc/chua-tra-loi/", views.console_unanswered, name="console_unanswered"),
    path(
        "bien-tap-thu-tuc/chua-tra-loi/<int:pk>/",
        views.console_unanswered_resolve,
        name="console_unanswered_resolve",
    ),
    path("bien-tap-thu-tuc/tu-dong/", views.console_settings, name="console_settings"),
    path("bien-tap-thu-tuc/<slug:slug>/", views.console_edit, name="console_edit"),
    path("bien-tap-thu-tuc/<slug:slug>/duyet/", views.console_approve, name="console_approve"),
    path("bien-tap-thu-tuc/<slug:slug>/lich-su/", views.console_history, name="console_history"),
    path("tin-bao/<int:pk>/tra-loi-thu-tuc/", views.case_answer, name="case_answer"),
]
