from __future__ import annotations

import os
from pathlib import Path

import pytest

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage.model import load_model, save_model
from binhyen.lib.triage.training import expected_default_version, seed_examples, train
from binhyen.lib.triage.triager import MODEL_PATH_ENV, PROJECT_ROOT
from binhyen.testing import World, make_world

# The default triage model for the whole run: trained once (by the controller when tests run
# in parallel), kept between runs while the seed files and parameters are unchanged.
TEST_MODEL = PROJECT_ROOT / "var" / "test-cache" / "triage-model.npz"


def _default_model_ready(path: Path) -> bool:
    if not path.with_suffix(".json").exists():
        return False
    try:
        return load_model(path).version == expected_default_version()
    except (OSError, ValueError, KeyError):
        return False


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault(MODEL_PATH_ENV, str(TEST_MODEL))
    if hasattr(config, "workerinput"):
        return  # a parallel worker: the controller trained it before starting us
    path = Path(os.environ[MODEL_PATH_ENV])
    if not _default_model_ready(path):
        # Written aside, then moved in: the .json (what readers look for) arrives last.
        tmp = path.with_name(f"{path.stem}-{os.getpid()}.npz")
        save_model(train(seed_examples(), gazetteer=Gazetteer.load()), tmp)
        os.replace(tmp, path.with_suffix(".npz"))
        os.replace(tmp.with_suffix(".json"), path.with_suffix(".json"))


DB_FIXTURES = {"db", "transactional_db", "world", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    """Every database test may use every configured database (the SQLite inbox too)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs["databases"] = "__all__"
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    from binhyen.channels.zalo.webhook import clear_page_cache

    clear_page_cache()
    yield
    clear_page_cache()


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def drain():
    """Run the background worker until nothing is ready (time is never slept on)."""
    from binhyen.core.worker import drain as _drain

    return _drain


@pytest.fixture
def zalo_sim(world, client, settings):
    """The Zalo simulator on a local port, its webhooks posted through the test client."""
    from binhyen.simulator.model import SimPage
    from binhyen.simulator.server import SimulatorServer

    def transport(body: bytes, headers) -> tuple[int, bytes]:
        extra = {
            "HTTP_" + k.upper().replace("-", "_"): v
            for k, v in headers.items()
            if k.lower() != "content-type"
        }
        resp = client.generic(
            "POST", "/webhooks/zalo/", body, content_type="application/json", **extra
        )
        return resp.status_code, resp.content

    pages = [
        SimPage(
            oa_id=p.external_id,
            app_id=p.app_id,
            oa_secret_key=p.oa_secret_key,
            app_secret_key=p.app_secret_key,
            name=p.name,
            access_token=p.access_token,
            refresh_token=p.refresh_token,
        )
        for p in (world.province_page, world.bmt_page, world.tanan_page)
    ]
    server = SimulatorServer(
        pages, "http://127.0.0.1:9/unused", transport=transport, auto_deliver=False
    ).start()
    settings.ZALO_OPENAPI_URL = server.base_url
    settings.ZALO_OAUTH_URL = server.base_url
    settings.ZALO_HTTP_TIMEOUT = 2.0
    try:
        yield server
    finally:
        server.stop()
