"""GET requests and GET requests/{id}: standard filters, paging, JSON and XML, no identity."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Case
from binhyen.open311.tests import spec
from binhyen.open311.tests.conftest import request_data
from binhyen.vault.tests.conftest import zalo_case


def _file(client, key, **overrides) -> str:
    resp = client.post("/open311/v2/requests.json", request_data(key, **overrides))
    assert resp.status_code == 201, resp.content
    return resp.json()[0]["service_request_id"]


def _get(client, path, fmt="json", **params):
    resp = client.get(f"/open311/v2/{path}.{fmt}", params)
    doc = spec.from_json(resp.content) if fmt == "json" else spec.from_xml(resp.content)[1]
    return resp, doc


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_have_exactly_the_spec_fields_and_iso_times(world, client, key, fmt):
    code = _file(client, key)
    resp, rows = _get(client, "requests", fmt, api_key=key)
    assert resp.status_code == 200
    assert [r["service_request_id"] for r in rows] == [code]
    spec.check_request(rows[0])
    row = rows[0]
    assert row["status"] == "open"
    assert row["service_code"] == "tip.drugs"
    assert row["agency_responsible"] == "Công an phường Tân An"
    assert row["requested_datetime"].endswith("+07:00")


def test_request_by_id_in_xml_and_json(world, client, key):
    code = _file(client, key)
    for fmt in ("json", "xml"):
        resp, rows = _get(client, f"requests/{code}", fmt, api_key=key)
        assert resp.status_code == 200
        assert len(rows) == 1
        spec.check_request(rows[0])


def test_answers_carry_no_identity_text_or_exact_position(world, client, key):
    code = _file(
        client,
        key,
        lat="12.73311",
        long="108.12345",
        description="Tôi là Phạm Minh ở số 5 Ngõ Hẹp, thấy bán ma túy.",
        first_name="Minh",
        phone="0977555666",
        **{"attribute[anonymous]": "false"},
    )
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests/{code}.{fmt}", {"api_key": key}).content.decode()
        for secret in ("Minh", "0977555666", "Ngõ Hẹp", "12.73311", "108.12345"):
            assert secret not in body
    row = _get(client, f"requests/{code}", api_key=key)[1][0]
    assert (row["lat"], row["long"]) == (12.71, 108.06)  # Tân An's official centre
    assert row["address"] == "Phường Tân An" and row["address_id"] == "24163"
    assert row["description"] is None and row["media_url"] is None


def test_a_key_reads_only_its_own_requests(world, client, key, other_key):
    code = _file(client, key)
    assert _get(client, "requests", api_key=other_key)[1] == []
    resp, errors = _get(client, f"requests/{code}", api_key=other_key)
    assert resp.status_code == 404
    spec.check_errors(errors, 404)


def test_zalo_cases_are_not_reachable_through_open311(world, client, key):

    case = zalo_case(world.bmt_page)
    assert _get(client, f"requests/{case.code}", api_key=key)[0].status_code == 404


def test_reading_requests_needs_a_key(world, client, key):
    _file(client, key)
    resp, errors = _get(client, "requests")
    assert resp.status_code == 403
    spec.check_errors(errors, 403)


def test_status_filter_and_plain_status_notes(world, client, key):
    open_code = _file(client, key, description="Tin một về ma túy")
    closed_code = _file(client, key, description="Tin hai về ma túy")
    case = Case.objects.get(code=closed_code)
    cases.case_classify(
        case=case, actor=world.officer_tanan, intent="tip", category="drugs", urgency="normal"
    )
    cases.case_resolve(case=case, actor=world.officer_tanan, outcome="not_a_crime")
    opened = _get(client, "requests", api_key=key, status="open")[1]
    closed = _get(client, "requests", api_key=key, status="closed")[1]
    assert [r["service_request_id"] for r in opened] == [open_code]
    assert [r["service_request_id"] for r in closed] == [closed_code]
    assert closed[0]["status_notes"].startswith("Đã giải quyết xong.")
    both = _get(client, "requests", api_key=key, status="open,closed")[1]
    assert len(both) == 2


def test_service_code_filter_follows_the_officers_classification(world, client, key):
    code = _file(client, key)
    case = Case.objects.get(code=code)
    cases.case_classify(
        case=case, actor=world.officer_tanan, intent="tip", category="gambling", urgency="normal"
    )
    assert _get(client, "requests", api_key=key, service_code="tip.drugs")[1] == []
    rows = _get(client, "requests", api_key=key, service_code="tip.gambling,question")[1]
    assert [r["service_request_id"] for r in rows] == [code]


def test_date_filters_and_the_default_ninety_days(world, client, key):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=100)):
        old = _file(client, key, description="Tin cũ về ma túy")
    new = _file(client, key, description="Tin mới về ma túy")
    assert [r["service_request_id"] for r in _get(client, "requests", api_key=key)[1]] == [new]
    start = (now - timedelta(days=120)).isoformat()
    end = (now - timedelta(days=90)).isoformat()
    rows = _get(client, "requests", api_key=key, start_date=start, end_date=end)[1]
    assert [r["service_request_id"] for r in rows] == [old]


def test_service_request_id_filter_takes_a_list(world, client, key):
    a = _file(client, key, description="Tin A về ma túy")
    _file(client, key, description="Tin B về ma túy")
    rows = _get(client, "requests", api_key=key, service_request_id=f"{a},TB-NONE-XXXX")[1]
    assert [r["service_request_id"] for r in rows] == [a]


def test_paging(world, client, key):
    codes = [_file(client, key, description=f"Tin số {i} về ma túy") for i in range(5)]
    page1 = _get(client, "requests", api_key=key, page_size=2)[1]
    page3 = _get(client, "requests", api_key=key, page_size=2, page=3)[1]
    assert [r["service_request_id"] for r in page1] == codes[::-1][:2]
    assert [r["service_request_id"] for r in page3] == codes[:1]


@pytest.mark.parametrize(
    "params",
    [{"status": "pending"}, {"page": "0"}, {"page_size": "5000"}, {"start_date": "hôm qua"}],
)
def test_bad_filters_get_a_400(world, client, key, params):
    resp, errors = _get(client, "requests", api_key=key, **params)
    assert resp.status_code == 400
    spec.check_errors(errors, 400)


@pytest.mark.parametrize("page", ["250152754331424608", "99999999999999999999999"])
def test_a_huge_page_number_is_refused_not_a_server_error(world, key, page):
    client = Client(raise_request_exception=False)
    resp = client.get("/open311/v2/requests.json", {"api_key": key, "page": page})
    assert resp.status_code == 400
    assert "page" in resp.json()[0]["description"]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "0354-11-27T00:50:23.226989-23:26"},
        {"end_date": "2026-01-01T00:00:00+20:00"},
        {"service_request_id": "TB-\x00"},
        {"service_code": "tip.drugs\x00"},
    ],
)
def test_dates_and_values_postgresql_cannot_hold_are_refused_not_a_server_error(world, key, params):
    """Found by schemathesis on PostgreSQL: offsets beyond ±15:59 and NUL bytes were 500s."""
    client = Client(raise_request_exception=False)
    resp = client.get("/open311/v2/requests.json", {"api_key": key, **params})
    assert resp.status_code == 400
