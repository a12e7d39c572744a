"""The case's own reactions to its lifecycle events (wired in `lifecycle.REACTIONS`): the
automatic notices to the citizen, and refreshing the open inboxes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from binhyen import live
from binhyen.cases.models import Case, Intent, Status
from binhyen.cases.services.notices import notice_send

ACK_NOTICES = {
    Intent.TIP: "ack_tip",
    Intent.QUESTION: "ack_question",
    Intent.FEEDBACK: "ack_feedback",
}


def _inbox_event(case: Case, kind: str) -> None:
    """Refresh open inboxes (not an alarm: alarms are duty alerts)."""
    live.publish(
        unit_path=case.unit.path,
        kind=kind,
        payload={
            "case_id": case.pk,
            "code": case.code,
            "status": case.status,
            "urgency": case.urgency,
            "intent": case.intent,
            "unit_name": case.unit.name,
        },
    )


def inbox_new(*, case: Case, **_rest: Any) -> None:
    _inbox_event(case, "case.new")


def inbox_updated(*, case: Case, **_rest: Any) -> None:
    _inbox_event(case, "case.updated")


def acknowledgement_notice(*, case: Case, **_rest: Any) -> None:
    """The machine read the message: thank the citizen (once per case and kind)."""
    code = ACK_NOTICES.get(case.intent)  # type: ignore[call-overload]
    if code is not None:
        notice_send(case=case, code=code)


def receipt_notice(*, case: Case, at: datetime, **_rest: Any) -> None:
    """A classified tip: the written receipt the citizen is owed (never to an anonymous one)."""
    if case.intent == Intent.TIP and not case.is_anonymous:
        notice_send(case=case, code="receipt_notice")


def result_notice(*, case: Case, **_rest: Any) -> None:
    """A decision was taken: tell the citizen the result."""
    if case.status in {Status.HANDED_OVER, Status.RESOLVED} and not case.is_anonymous:
        notice_send(case=case, code="result_notice")
