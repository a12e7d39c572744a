from unittest import mock

from django.db.utils import OperationalError

from binhyen.cases import services
from binhyen.cases.models import CaseEvent
from binhyen.testing import PASSWORD


def test_healthz_answers_without_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


def test_readyz_checks_the_database(db, client):
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_readyz_is_503_when_the_database_is_down(db, client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["status"] == "unavailable"


def test_console_is_vietnamese_even_for_an_english_browser(client):
    resp = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert resp["Content-Language"] == "vi"
    assert "Đăng nhập" in resp.content.decode()


def test_chosen_language_cookie_is_respected(client):
    client.cookies["django_language"] = "en"
    resp = client.get("/dang-nhap/")
    assert resp["Content-Language"] == "en"


def test_actions_are_recorded_in_vietnamese_even_for_an_english_reader(world, client):
    from django.utils import timezone

    case = services.case_open(
        unit_id=world.bmt.pk,
        channel_account=world.bmt_page,
        conversation=None,
        contact=None,
        summary="x",
        at=timezone.now(),
    )
    client.login(username=world.officer_bmt.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    client.post(f"/tin-bao/{case.pk}/xu-ly/", {"action": "claim"})
    entry = CaseEvent.objects.get(case=case, kind="acknowledged")
    assert "nhận xử lý" in entry.text
