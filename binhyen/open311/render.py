"""GeoReport v2 documents in JSON and XML (stdlib ElementTree: we only ever write XML).

Datetimes are ISO 8601 with the offset (Asia/Ho_Chi_Minh, +07:00); booleans are
"true"/"false"; lists repeat their item element as in the specification's examples.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

# Collection element → item element, as in the GeoReport v2 examples.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def plain(value: Any) -> Any:
    """Datetimes and nested containers to JSON-ready values."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def _fill(parent: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            child = ET.SubElement(parent, k)
            _fill(child, v)
    elif isinstance(value, list | tuple):
        item = ITEM.get(parent.tag, "item")
        for v in value:
            _fill(ET.SubElement(parent, item), v)
    else:
        parent.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))


def respond(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json.dumps(plain(value), ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)
