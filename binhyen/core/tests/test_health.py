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


def test_readyz_is_503_until_a_triage_model_is_at_hand(db, client, tmp_path, monkeypatch):
    """A fresh deploy without the model file would train it on the first tip: not ready."""
    from binhyen.lib.triage.triager import MODEL_PATH_ENV
    from binhyen.triage import engine

    ready_model = engine.default_model_path()
    monkeypatch.setenv(MODEL_PATH_ENV, str(tmp_path / "model.npz"))
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json() == {"status": "starting", "database": mock.ANY, "triage_model": "missing"}
    # What `binhyen serve` does before starting anything (the built file, copied here).
    for suffix in (".npz", ".json"):
        (tmp_path / "model").with_suffix(suffix).write_bytes(
            ready_model.with_suffix(suffix).read_bytes()
        )
    assert engine.default_model_ensure() is False  # current: nothing to build
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.json()["triage_model"] == "ready"


def test_worker_loads_the_triage_model_before_taking_work(monkeypatch):
    from binhyen.core.worker import BinhYenWorker
    from binhyen.triage import engine

    loaded: list[str] = []
    monkeypatch.setattr(engine, "active_triager", lambda: loaded.append("model"))
    monkeypatch.setattr(
        "binhyen.core.worker._warm_ups", [("triage.model", lambda: engine.active_triager())]
    )
    BinhYenWorker(queues={"outbound"}).warm_up()
    assert loaded == []  # the lane that talks to Zalo does not need it
    BinhYenWorker(queues={"default"}).warm_up()
    assert loaded == ["model"]
