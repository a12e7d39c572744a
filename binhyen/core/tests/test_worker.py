"""The worker loop: lanes take only their queues, and every lane says what it runs."""

from __future__ import annotations

import logging

import pytest
from django_tasks_db.models import DBTaskResult

from binhyen.channels.tasks import reconcile_message
from binhyen.core.worker import BinhYenWorker

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_lane_claims_only_its_own_queue() -> None:
    reconcile_message.enqueue(message_id=999_999)  # an "outbound" task
    default_lane = BinhYenWorker(queues={"default"}, loop_jobs=False, raise_errors=True)
    assert default_lane.run_one_task() is False
    assert DBTaskResult.objects.get().status == "READY"
    outbound_lane = BinhYenWorker(queues={"outbound"}, loop_jobs=False, raise_errors=True)
    assert outbound_lane.run_one_task() is True
    result = DBTaskResult.objects.get()
    assert (result.status, result.return_value) == ("SUCCESSFUL", "skipped")


def test_a_lane_without_periodic_jobs_logs_its_start(caplog: pytest.LogCaptureFixture) -> None:
    lane = BinhYenWorker(queues={"outbound"}, loop_jobs=False)
    lane.running = False  # start, log, and leave the loop at once
    with caplog.at_level(logging.INFO, logger="binhyen.worker"):
        lane.run(tick=None)
    [started] = [r.getMessage() for r in caplog.records if "started" in r.getMessage()]
    assert "outbound" in started and "no periodic jobs" in started
