"""Discovery and the service catalogue, in JSON and XML, checked against the spec's fields."""

from __future__ import annotations

import pytest

from binhyen.open311.tests import spec


def _get(client, path, fmt):
    resp = client.get(f"/open311/v2/{path}.{fmt}")
    ctype = "application/json" if fmt == "json" else "text/xml"
    assert resp["Content-Type"].startswith(ctype)
    return resp, (spec.from_json(resp.content) if fmt == "json" else spec.from_xml(resp.content)[1])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_lists_the_endpoint_and_formats(db, client, fmt):
    resp, doc = _get(client, "discovery", fmt)
    assert resp.status_code == 200
    spec.check_discovery(doc)
    assert doc["endpoints"][0]["url"].endswith("/open311/v2")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_tip_categories_and_question_types(db, client, fmt):
    resp, services = _get(client, "services", fmt)
    assert resp.status_code == 200
    for s in services:
        spec.check_service(s)
    codes = {s["service_code"] for s in services}
    assert {"tip.drugs", "tip.public_order", "tip.fire_rescue", "question", "feedback"} <= codes
    assert len(codes) == 14


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_has_typed_attributes(db, client, fmt):
    resp, definition = _get(client, "services/tip.drugs", fmt)
    assert resp.status_code == 200
    spec.check_definition(definition)
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert by_code["occurred_at"]["datatype"] == "datetime"
    assert by_code["people_involved"]["datatype"] == "number"
    assert by_code["anonymous"]["datatype"] == "singlevaluelist"
    assert by_code["anonymous"]["required"] in (True, "true")
    assert {"key": "24163", "name": "Phường Tân An"} in by_code["commune_code"]["values"]


def test_question_service_asks_for_the_procedure_area(db, client):
    _resp, definition = _get(client, "services/question", "json")
    spec.check_definition(definition)
    area = next(a for a in definition["attributes"] if a["code"] == "procedure_area")
    assert {"key": "residence", "name": "Cư trú (đăng ký thường trú, tạm trú, lưu trú)"} in area[
        "values"
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_a_404_in_the_spec_error_format(db, client, fmt):
    resp, errors = _get(client, "services/nope", fmt)
    assert resp.status_code == 404
    spec.check_errors(errors, 404)


def test_unknown_format_is_not_served(db, client):
    assert client.get("/open311/v2/services.csv").status_code == 404
