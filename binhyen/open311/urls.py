"""/open311/v2/: every resource in .json and .xml (the format is the extension)."""

from django.urls import path, register_converter

from binhyen.open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "o311fmt")

app_name = "open311"

urlpatterns = [
    path("discovery.<o311fmt:fmt>", views.discovery, name="discovery"),
    path("services.<o311fmt:fmt>", views.services_list, name="services"),
    path("services/<str:service_code>.<o311fmt:fmt>", views.service_definition, name="service"),
    path("requests.<o311fmt:fmt>", views.requests, name="requests"),
    path("requests/<str:service_request_id>.<o311fmt:fmt>", views.request_detail, name="request"),
]
