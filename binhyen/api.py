"""REST API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, personal bearer tokens."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.types import DictStrAny

from binhyen.accounts.services import api_token_authenticate
from binhyen.lib import jsonbody


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BoundedJsonParser(Parser):
    """JSON bodies with bounded nesting (ninja answers 400 for anything this raises)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data: DictStrAny = jsonbody.loads(request.body)
        return data


api = NinjaAPI(
    title="BinhYen API",
    version="1",
    description="Tin báo, câu hỏi và phản ánh của người dân gửi tới các đơn vị Công an.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    parser=BoundedJsonParser(),
)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> Any:
    # Never leak internals (or identity data in them) through an API error.

    if isinstance(exc, ValidationError):
        return api.create_response(request, {"detail": exc.errors}, status=422)
    if isinstance(exc, AuthenticationError):
        return api.create_response(request, {"detail": "Unauthorized"}, status=401)
    if isinstance(exc, HttpError):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    if isinstance(exc, Http404):
        return api.create_response(request, {"detail": "Not found"}, status=404)
    logging.getLogger("binhyen.api").exception("API error on %s", request.path)
    return api.create_response(request, {"detail": "Internal error"}, status=500)


api.add_router("/cases", "binhyen.cases.api.router")
