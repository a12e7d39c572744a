"""The GeoReport v2 fields (http://wiki.open311.org/GeoReport_v2), to check our answers
against: every field the specification defines is present, nothing else is, and values
have the specification's types. Used for both JSON and XML."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}

SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE = {
    "variable", "code", "datatype", "required", "datatype_description", "order", "description",
}  # fmt: skip
REQUEST = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip
POSTED = {"service_request_id", "token", "service_notice", "account_id"}
DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
ERROR = {"code", "description"}


def _bool(v: Any) -> bool:
    return v in (True, False, "true", "false")


def check_service(s: dict[str, Any]) -> None:
    assert set(s) == SERVICE, set(s) ^ SERVICE
    assert s["service_code"] and s["service_name"]
    assert _bool(s["metadata"])
    assert s["type"] in {"realtime", "batch", "blackbox"}


def check_definition(d: dict[str, Any]) -> None:
    assert set(d) == {"service_code", "attributes"}
    for a in d["attributes"]:
        keys = set(a) - {"values"}
        assert keys == ATTRIBUTE, keys ^ ATTRIBUTE
        assert a["datatype"] in DATATYPES
        assert _bool(a["variable"]) and _bool(a["required"])
        assert int(a["order"]) >= 0
        if a["datatype"] in {"singlevaluelist", "multivaluelist"}:
            assert a["values"] and all(set(v) == {"key", "name"} for v in a["values"])
        else:
            assert "values" not in a


def check_request(r: dict[str, Any]) -> None:
    assert set(r) == REQUEST, set(r) ^ REQUEST
    assert r["service_request_id"]
    assert r["status"] in {"open", "closed"}
    for f in ("requested_datetime", "updated_datetime"):
        assert ISO8601.match(r[f]), r[f]
    if r["expected_datetime"] not in (None, ""):
        assert ISO8601.match(r["expected_datetime"])
    for f in ("lat", "long"):
        if r[f] not in (None, ""):
            float(r[f])


def check_posted(r: dict[str, Any]) -> None:
    assert set(r) <= POSTED and ("service_request_id" in r or "token" in r)


def check_discovery(d: dict[str, Any]) -> None:
    assert set(d) == DISCOVERY
    assert ISO8601.match(d["changeset"])
    for e in d["endpoints"]:
        assert set(e) == ENDPOINT
        assert e["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(e["formats"]) == {"application/json", "text/xml"}


def check_errors(errors: list[dict[str, Any]], status: int) -> None:
    assert errors and all(set(e) == ERROR for e in errors)
    assert int(errors[0]["code"]) == status


# --- XML → the same shapes as JSON ---------------------------------------------------------

LISTS = {"services", "service_requests", "attributes", "values", "endpoints", "formats", "errors"}


def from_xml(body: bytes) -> tuple[str, Any]:
    root = ET.fromstring(body)  # noqa: S314 (our own output)
    return root.tag, _value(root)


def _value(el: ET.Element) -> Any:
    children = list(el)
    if el.tag in LISTS:
        return [_value(c) for c in children]
    if not children:
        return el.text or ""
    return {c.tag: _value(c) for c in children}


def from_json(body: bytes) -> Any:
    return json.loads(body)
