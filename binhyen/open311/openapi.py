"""What `/open311/v2/` answers, as an OpenAPI 3.0 document (JSON format).

GeoReport v2 (http://wiki.open311.org/GeoReport_v2) predates OpenAPI and publishes none;
this document states the same contract — the specification's fields and types, our
error shape (`[{"code", "description"}]`), the statuses we answer — so that a generic
tool (schemathesis, in `open311/tests/test_open311_fuzz.py`) can check every answer
against it. XML mirrors the JSON and is checked by the field tests (`tests/spec.py`).
"""

from __future__ import annotations

from typing import Any

from binhyen.open311 import catalog

_STR = {"type": "string"}
_NULLABLE_STR = {"type": "string", "nullable": True}
_NUMBER_OR_EMPTY = {"nullable": True, "anyOf": [{"type": "number"}, {"type": "string"}]}
_DATETIME = {"type": "string", "format": "date-time"}

_ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": _STR},
        "required": ["code", "description"],
        "additionalProperties": False,
    },
}
_SERVICE = {
    "type": "object",
    "properties": {
        "service_code": _STR,
        "service_name": _STR,
        "description": _STR,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": _STR,
        "group": _STR,
    },
    "required": ["service_code", "service_name", "metadata", "type"],
    "additionalProperties": False,
}
_ATTRIBUTE = {
    "type": "object",
    "properties": {
        "variable": {"type": "boolean"},
        "code": _STR,
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": _STR,
        "order": {"type": "integer", "minimum": 0},
        "description": _STR,
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"key": _STR, "name": _STR},
                "required": ["key", "name"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "additionalProperties": False,
}
_REQUEST = {
    "type": "object",
    "properties": {
        "service_request_id": _STR,
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _NULLABLE_STR,
        "service_name": _NULLABLE_STR,
        "service_code": _NULLABLE_STR,
        "description": _NULLABLE_STR,
        "agency_responsible": _NULLABLE_STR,
        "service_notice": _NULLABLE_STR,
        "requested_datetime": _DATETIME,
        "updated_datetime": _DATETIME,
        "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
        "address": _NULLABLE_STR,
        "address_id": _NULLABLE_STR,
        "zipcode": _NULLABLE_STR,
        "lat": _NUMBER_OR_EMPTY,
        "long": _NUMBER_OR_EMPTY,
        "media_url": _NULLABLE_STR,
    },
    "required": ["service_request_id", "status", "requested_datetime", "updated_datetime"],
    "additionalProperties": False,
}
_POSTED = {
    "type": "object",
    "properties": {
        "service_request_id": _STR,
        "token": _STR,
        "service_notice": _NULLABLE_STR,
        "account_id": _NULLABLE_STR,
    },
    "additionalProperties": False,
}
_DISCOVERY = {
    "type": "object",
    "properties": {
        "changeset": _DATETIME,
        "contact": _STR,
        "key_service": _STR,
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "specification": _STR,
                    "url": _STR,
                    "changeset": _DATETIME,
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": _STR},
                },
                "required": ["specification", "url", "changeset", "type", "formats"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "additionalProperties": False,
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "Invalid parameters (or a NUL character in any of them)",
        403: "api_key missing, unknown or revoked",
        404: "Not found (or not filed with this api_key)",
        405: "Method not allowed",
        413: "Request too large",
        429: "Too many requests",
    }
    return {str(c): _json(_ERRORS, words[c]) for c in codes}


def _query(name: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


_KEY = {"type": "string", "minLength": 1, "maxLength": 200}


def openapi_document(*, api_key: str | None = None) -> dict[str, Any]:
    """The document; with `api_key`, valid requests carry that key (a test's own key)."""
    key = {"type": "string", "enum": [api_key]} if api_key else _KEY
    api_key_param = _query("api_key", key, required=True)
    post_fields: dict[str, Any] = {
        "api_key": key,
        "service_code": {"type": "string", "enum": [svc.code for svc in catalog.services()]},
        "jurisdiction_id": {"type": "string", "maxLength": 100},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string", "maxLength": 300},
        "address_id": {"type": "string", "maxLength": 32},
        "email": {"type": "string", "format": "email", "maxLength": 200},
        "device_id": {"type": "string", "maxLength": 200},
        "account_id": {"type": "string", "maxLength": 200},
        "first_name": {"type": "string", "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "phone": {"type": "string", "pattern": r"^\+?[0-9 .()-]{6,20}$"},
        "description": {"type": "string", "minLength": 1, "maxLength": 4000},
        "media_url": {"type": "string", "pattern": "^https://[a-z0-9.-]+/", "maxLength": 2000},
        "attribute[anonymous]": {"type": "string", "enum": ["true", "false"]},
        "attribute[happening_now]": {"type": "string", "enum": ["true", "false"]},
        "attribute[commune_code]": {"type": "string", "maxLength": 32},
        "attribute[people_involved]": {"type": "string", "pattern": "^[0-9]{1,4}$"},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "BinhYen Open311 GeoReport v2", "version": "2"},
        "paths": {
            "/open311/v2/discovery.json": {
                "get": {"responses": {"200": _json(_DISCOVERY, "Discovery"), **_errors(400)}},
            },
            "/open311/v2/services.json": {
                "get": {
                    "parameters": [_query("jurisdiction_id", _STR)],
                    "responses": {
                        "200": _json({"type": "array", "items": _SERVICE}, "Services"),
                        **_errors(400),
                    },
                },
            },
            "/open311/v2/services/{service_code}.json": {
                "get": {
                    "parameters": [
                        {"name": "service_code", "in": "path", "required": True, "schema": _STR}
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "service_code": _STR,
                                    "attributes": {"type": "array", "items": _ATTRIBUTE},
                                },
                                "required": ["service_code", "attributes"],
                                "additionalProperties": False,
                            },
                            "Service definition",
                        ),
                        **_errors(400, 404),
                    },
                },
            },
            "/open311/v2/requests.json": {
                "get": {
                    "parameters": [
                        api_key_param,
                        _query("service_request_id", _STR),
                        _query("service_code", _STR),
                        _query("start_date", _DATETIME),
                        _query("end_date", _DATETIME),
                        _query("status", {"type": "string", "enum": ["open", "closed"]}),
                        _query("page", {"type": "integer", "minimum": 1}),
                        _query("page_size", {"type": "integer", "minimum": 1, "maximum": 1000}),
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": _REQUEST}, "Requests"),
                        **_errors(400, 403),
                    },
                },
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "properties": post_fields,
                                    # A location is required: lat & long here (our
                                    # answers also accept address_string or address_id
                                    # instead); tips say whether they are anonymous.
                                    "required": [
                                        "api_key",
                                        "service_code",
                                        "lat",
                                        "long",
                                        "attribute[anonymous]",
                                        "description",
                                    ],
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"type": "array", "items": _POSTED}, "Filed"),
                        **_errors(400, 403, 404, 413, 429),
                    },
                },
            },
            "/open311/v2/requests/{service_request_id}.json": {
                "get": {
                    "parameters": [
                        {
                            "name": "service_request_id",
                            "in": "path",
                            "required": True,
                            "schema": _STR,
                        },
                        api_key_param,
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": _REQUEST}, "One request"),
                        **_errors(400, 403, 404),
                    },
                },
            },
        },
    }
