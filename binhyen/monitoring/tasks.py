"""Background work of monitoring: rendering reports in the "reports" lane."""

from __future__ import annotations

import os
import socket

from django_tasks import task

from binhyen.cases.services import enqueue
from binhyen.monitoring import reports

REPORTS = "reports"


@task(queue_name=REPORTS)
def render_reports(period_label: str) -> int:
    """Render what is pending for the period; re-queues itself if the time budget ran out.
    Safe to run twice or in parallel: each report is claimed before it is rendered."""
    period = reports.period_of(period_label)
    worker = f"{socket.gethostname()}-{os.getpid()}"
    done = reports.render_pending(period, worker=worker)
    if reports.pending_left(period):
        enqueue("binhyen.monitoring.tasks.render_reports", period_label)
    return done
