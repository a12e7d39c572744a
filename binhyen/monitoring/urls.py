from django.urls import path

from binhyen.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.league, name="league"),
    path("khen-thuong/", views.awards, name="awards"),
    path("ban-do/", views.province_map, name="map"),
    path("don-vi/<str:code>/bieu-do/<str:name>.png", views.trend_chart, name="chart"),
    path("bao-cao/", views.report_list, name="reports"),
    path("bao-cao/lap/", views.report_request, name="report-request"),
    path("bao-cao/<int:pk>.<str:ext>", views.report_download, name="report-download"),
    path("don-vi/<str:code>/", views.unit_figures, name="unit"),
    path("don-vi/<str:code>/so-lieu/", views.figure_cases, name="cases"),
    path("don-vi/<str:code>/nhac-nho/", views.reminder_send, name="remind"),
    path("don-vi/<str:code>/khen-thuong/", views.award_nominate, name="nominate"),
    path("nhac-nho/<int:pk>/xac-nhan/", views.reminder_acknowledge, name="acknowledge"),
]
