"""Open311 GeoReport v2 endpoints: discovery, services, service definitions, requests.

`discovery` and `services` are public. `requests` (GET and POST) take an `api_key`: tips
are not public, and a key reads back only the requests filed with it. Errors follow the
specification: a list of {code, description} with the HTTP status.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from binhyen.lib.media import MediaError, clean_upload
from binhyen.open311 import catalog, render, schemas
from binhyen.open311 import services as o311
from binhyen.open311.models import ApiKey
from binhyen.tips.forms import MAX_FILES, MAX_IMAGE_BYTES, MAX_REQUEST_FILE_BYTES, MAX_VIDEO_BYTES
from binhyen.tips.privacy import CitizenExceptionReporter, CitizenReporterFilter, bound_uploads

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-03-01T00:00:00+07:00"


# PostgreSQL text cannot hold NUL (found by schemathesis: 500s on PostgreSQL only).
NUL_REFUSED = "parameters may not contain NUL characters"


def _holds_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def api_view(methods: set[str]) -> Callable[..., Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any
        ) -> HttpResponse:
            # Requests carry citizens' contact details: error reports keep none of them.
            request.exception_reporter_filter = CitizenReporterFilter()
            request.exception_reporter_class = CitizenExceptionReporter
            request.sensitive_post_parameters = "__ALL__"  # type: ignore[attr-defined]
            if request.method not in methods:
                response = render.error(fmt, 405, f"{request.method} is not allowed here")
                response["Allow"] = ", ".join(sorted(methods))
                return response
            if _holds_nul(request.GET):
                return render.error(fmt, 400, NUL_REFUSED)
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except o311.Open311Error as exc:
                return render.error(fmt, exc.status, exc.description)

        return csrf_exempt(wrapped)

    return decorate


def _key(request: HttpRequest, raw: str | None = None) -> ApiKey:
    key = o311.api_key_authenticate(raw if raw is not None else request.GET.get("api_key", ""))
    if key is None:
        raise o311.Open311Error(403, "api_key is missing, unknown or revoked")
    return key


@api_view({"GET"})
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    return render.respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": "Công an tỉnh — đơn vị quản trị BinhYen",
            "key_service": "Khóa API do quản trị viên BinhYen cấp (binhyen open311 create-key).",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.rsplit("/", 1)[0],
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


def _service_row(s: catalog.Service) -> dict[str, object]:
    return {
        "service_code": s.code,
        "service_name": s.name,
        "description": s.description,
        "metadata": s.metadata,
        "type": "realtime",
        "keywords": ", ".join(s.keywords),
        "group": s.group,
    }


@api_view({"GET"})
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render.respond(fmt, "services", [_service_row(s) for s in catalog.services()])


@api_view({"GET"})
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    service = catalog.service(service_code)
    if service is None:
        raise o311.Open311Error(404, f"service_code {service_code!r} not found")
    return render.respond(
        fmt,
        "service_definition",
        {
            "service_code": service.code,
            "attributes": [
                {
                    "variable": a.variable,
                    "code": a.code,
                    "datatype": a.datatype,
                    "required": a.required,
                    "datatype_description": a.datatype_description,
                    "order": a.order,
                    "description": a.description,
                    **(
                        {"values": [{"key": k, "name": n} for k, n in a.values]} if a.values else {}
                    ),
                }
                for a in sorted(service.attributes, key=lambda a: a.order)
            ],
        },
    )


@api_view({"GET", "POST"})
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    key = _key(request)
    filters = schemas.parse_filters(request.GET)
    rows = [o311.request_view(c) for c in o311.requests_search(key=key, filters=filters)]
    return render.respond(fmt, "service_requests", rows)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:

    if not bound_uploads(request, MAX_REQUEST_FILE_BYTES):
        raise o311.Open311Error(413, "the request is too large")
    data = request.POST
    if getattr(request, "tips_upload_too_large", False):
        raise o311.Open311Error(413, "the request is too large")
    if _holds_nul(data):
        raise o311.Open311Error(400, NUL_REFUSED)
    raw_key, new = schemas.parse_request(data)
    key = _key(request, raw_key)
    uploads = []
    files = request.FILES.getlist("media")
    if len(files) > MAX_FILES:
        raise o311.Open311Error(400, f"at most {MAX_FILES} media files")

    for f in files:
        try:
            uploads.append(
                clean_upload(
                    f.read(), max_image_bytes=MAX_IMAGE_BYTES, max_video_bytes=MAX_VIDEO_BYTES
                )
            )
        except MediaError:
            raise o311.Open311Error(400, "media must be a photo or an MP4/MOV/3GP video") from None
    filed = o311.request_create(key=key, new=new, uploads=uploads)
    return render.respond(
        fmt,
        "service_requests",
        [{"service_request_id": filed.case.code, "service_notice": filed.notice}],
        status=201,
    )


@api_view({"GET"})
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    key = _key(request)
    case = o311.request_get(key=key, code=service_request_id)
    return render.respond(fmt, "service_requests", [o311.request_view(case)])
