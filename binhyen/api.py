"""REST API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, personal bearer tokens."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
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
        data: DictStrAny = jsonbody.loads(request.body, allow_nul=False)
        return data


# Every error answer is {"detail": ...} (see _unexpected): documented on every operation so
# that clients (and the schemathesis run in the tests) can rely on the schema.
_ERRORS = {
    "400": "Malformed request body (not JSON, or nested too deeply)",
    "401": "Missing, unknown or revoked token",
    "404": "No such case, or not visible to this token's user",
    "409": "The case's state does not allow this action",
    "422": "Invalid parameters or body",
}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object"}},
            ]
        }
    },
    "required": ["detail"],
}


class BinhYenApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in _ERRORS.items():
                    responses.setdefault(
                        code,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": _ERROR_SCHEMA}},
                        },
                    )
        return schema


api = BinhYenApi(
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
    if isinstance(exc, PermissionDenied):
        return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)
    logging.getLogger("binhyen.api").exception("API error on %s", request.path)
    return api.create_response(request, {"detail": "Internal error"}, status=500)


api.add_router("/cases", "binhyen.cases.api.router")
