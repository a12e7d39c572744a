"""In Chromium: the citizen's phone shows "Đã xem" once the page answered, and keeps its
history when the simulator restarts with its state file."""

from __future__ import annotations

import pytest

from binhyen.simulator import SimulatorServer
from binhyen.simulator.testing import WebhookReceiver
from binhyen.testing import PHONE, chromium_page

from .helpers import OA_ID, send_text

pytestmark = pytest.mark.browser
TOKEN = "initial-access-bmt"


def test_the_phone_shows_seen_marks_and_keeps_its_history(
    page, page2, receiver: WebhookReceiver, tmp_path
) -> None:
    state = str(tmp_path / "simulator-state.json")
    sim = SimulatorServer([page, page2], receiver.url, state_path=state).start()
    with chromium_page(PHONE) as tab:
        try:
            tab.goto(f"{sim.base_url}/?oa={OA_ID}&p=an")
            tab.fill("#text", "Có người đánh nhau ở chợ")
            tab.locator("#composer button[type=submit]").click()
            mine = tab.locator(".bubble.in", has_text="Có người đánh nhau ở chợ")
            mine.wait_for(state="visible")
            tab.wait_for_function(
                "() => document.querySelector('.bubble.in .meta')"
                " && document.querySelector('.bubble.in .meta').textContent.includes('Đã gửi')"
            )
            user_id = next(iter(c.user_id for c in sim.citizens.values()))
            send_text(sim.base_url, TOKEN, user_id, "Công an phường đang tới")
            tab.locator(".bubble.out", has_text="Công an phường đang tới").wait_for()
            tab.wait_for_function(
                "() => document.querySelector('.bubble.in .meta').textContent.includes('Đã xem')"
            )
        finally:
            sim.stop()
        again = SimulatorServer([page, page2], receiver.url, state_path=state).start()
        try:
            tab.goto(f"{again.base_url}/?oa={OA_ID}&p=an")
            tab.locator(".bubble.in", has_text="Có người đánh nhau ở chợ").wait_for()
            tab.locator(".bubble.out", has_text="Công an phường đang tới").wait_for()
            assert "Đã xem" in tab.locator(".bubble.in .meta").first.inner_text()
        finally:
            again.stop()
