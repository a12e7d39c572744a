from __future__ import annotations

from collections.abc import Iterator

import pytest

from binhyen.simulator import SimPage, SimulatorServer
from binhyen.simulator.testing import WebhookReceiver

from .helpers import APP_ID, OA2_ID, OA_ID


@pytest.fixture
def page() -> SimPage:
    return SimPage(
        oa_id=OA_ID,
        app_id=APP_ID,
        oa_secret_key="oa-secret-phuong-bmt",
        app_secret_key="app-secret-binhyen",
        name="Công an phường Buôn Ma Thuột",
        access_token="initial-access-bmt",
        refresh_token="initial-refresh-bmt",
    )


@pytest.fixture
def page2() -> SimPage:
    return SimPage(
        oa_id=OA2_ID,
        app_id=APP_ID,
        oa_secret_key="oa-secret-phuong-tuyhoa",
        app_secret_key="app-secret-binhyen",
        name="Công an phường Tuy Hòa",
        access_token="initial-access-tuyhoa",
        refresh_token="initial-refresh-tuyhoa",
    )


@pytest.fixture
def receiver(page: SimPage, page2: SimPage) -> Iterator[WebhookReceiver]:
    rx = WebhookReceiver([page, page2]).start()
    yield rx
    rx.stop()


@pytest.fixture
def sim(page: SimPage, page2: SimPage, receiver: WebhookReceiver) -> Iterator[SimulatorServer]:
    # Tokens outlive the clock jumps of the window tests (a real one lasts 25 h).
    server = SimulatorServer([page, page2], receiver.url, token_ttl=30 * 24 * 3600).start()
    yield server
    server.stop()
