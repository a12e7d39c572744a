"""When the duty desk's alarms ring and stop (wired in `cases.services.lifecycle.REACTIONS`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from binhyen.cases.models import Case, CaseEvent, Intent
from binhyen.cases.services import timeline_in_batch
from binhyen.duty.services import alert_raise, alerts_stop, case_alerts_acknowledge

URGENT = {"critical", "high"}


def _rings(case: Case) -> bool:
    return case.intent == Intent.TIP and case.urgency in URGENT


def case_acknowledged(*, case: Case, at: datetime, **_rest: Any) -> None:
    case_alerts_acknowledge(case=case, actor=case.acknowledged_by, at=at)


def _hold_note(case: Case) -> str:
    """Why the door would have held this tip as possible spam (it came through because it
    reads as urgent): the officer who answers the alarm judges it knowing that."""
    rows = timeline_in_batch(case, "held_urgent")
    if rows is not None:  # a case opened in the worker's batch: its rows are known
        latest = max(rows, key=lambda r: r.at, default=None)
        return latest.text if latest is not None else ""
    note = (
        CaseEvent.objects.filter(case=case, kind="held_urgent")
        .order_by("-at")
        .values_list("text", flat=True)
        .first()
    )
    return note or ""


def case_triaged(*, case: Case, at: datetime, **_rest: Any) -> None:
    """An urgent tip rings the officers on duty while nobody has taken it."""
    if _rings(case) and case.acknowledged_at is None:
        alert_raise(case=case, at=at, detail=_hold_note(case))


def case_classified(*, case: Case, at: datetime, **_rest: Any) -> None:
    if _rings(case) and case.acknowledged_at is None:
        alert_raise(case=case, at=at)


def case_transferred(*, case: Case, at: datetime, **_rest: Any) -> None:
    """The old unit's alarms stop; the new unit's duty desk rings for an urgent tip."""
    alerts_stop(case=case, at=at)
    if _rings(case):
        alert_raise(case=case, at=at)
