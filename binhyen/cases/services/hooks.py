"""What else happens when a case moves: clocks, alerts, messages to the citizen.

Called explicitly by the case services inside their transaction, so the path of a case
reads top to bottom here; each stage lives in its own app (clocks, duty, live).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from binhyen import live
from binhyen.cases.models import Intent, Status

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.cases.models import Case
    from binhyen.units.models import Unit

URGENT = {"critical", "high"}
DECISION_CLOCKS = ("resolve", "commune_check", "transfer")


def _clocks() -> Any:
    from binhyen.clocks import services as clocks

    return clocks


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


def _ack_rule(case: Case) -> str:
    return (
        f"first_ack_{case.urgency}"
        if case.urgency in {"critical", "high", "normal"}
        else ("first_ack_normal")
    )


def opened(case: Case, at: datetime) -> None:
    clocks = _clocks()
    clocks.clock_start(case=case, rule_code="classify", at=at)
    clocks.clock_start(case=case, rule_code=_ack_rule(case), at=at)
    _inbox_event(case, "case.new")


def acknowledged(case: Case, at: datetime) -> None:
    from binhyen.duty.services import alerts_acknowledge

    _clocks().clock_meet(case=case, rule_code="first_ack_normal", at=at)
    alerts_acknowledge(case=case, actor=case.acknowledged_by, at=at)


def triaged(case: Case, at: datetime) -> None:
    """The machine's suggestion arrived: ring if urgent, say thanks to the citizen."""
    from binhyen.cases.services.notices import notice_send
    from binhyen.duty.services import alert_raise

    if case.acknowledged_at is None:
        _clocks().clock_start(case=case, rule_code=_ack_rule(case), at=case.opened_at, replace=True)
    if case.intent == Intent.TIP and case.urgency in URGENT and case.acknowledged_at is None:
        alert_raise(case=case, at=at)
    ack = {"tip": "ack_tip", "question": "ack_question", "feedback": "ack_feedback"}
    if case.intent in ack:
        notice_send(case=case, code=ack[case.intent])
    _inbox_event(case, "case.updated")


def classified(case: Case, before: dict[str, Any], at: datetime) -> None:
    """An officer confirmed what the case is (the legal classification)."""
    from binhyen.cases.services.notices import notice_send
    from binhyen.duty.services import alert_raise

    clocks = _clocks()
    clocks.clock_meet(case=case, rule_code="classify", at=at)
    if case.intent == Intent.TIP:
        if case.acknowledged_at is None:
            clocks.clock_start(
                case=case, rule_code=_ack_rule(case), at=case.opened_at, replace=True
            )
        clocks.clock_start(case=case, rule_code="resolve", at=case.opened_at)
        if case.unit.kind == "commune":
            clocks.clock_start(case=case, rule_code="commune_check", at=case.opened_at)
        clocks.clock_start(
            case=case, rule_code="receipt_notice", at=at, anonymous=case.is_anonymous
        )
        if not case.is_anonymous and notice_send(case=case, code="receipt_notice") is not None:
            clocks.clock_meet(case=case, rule_code="receipt_notice", at=at)
        if case.urgency in URGENT and case.acknowledged_at is None:
            alert_raise(case=case, at=at)
    elif before.get("intent") == Intent.TIP:
        clocks.clocks_cancel_open(case=case, at=at, reason="không phải tin báo", kinds=["legal"])


def transitioned(case: Case, previous: str, at: datetime) -> None:
    from binhyen.cases.services.notices import notice_send

    clocks = _clocks()
    status = case.status
    if status == Status.SUSPENDED:
        clocks.clocks_pause(case=case, at=at)
    elif previous == Status.SUSPENDED and status == Status.VERIFYING:
        clocks.clocks_resume(case=case, at=at)
    elif status in {Status.HANDED_OVER, Status.RESOLVED}:
        for code in DECISION_CLOCKS:
            clocks.clock_meet(case=case, rule_code=code, at=at)
        clocks.clocks_cancel_open(
            case=case, at=at, reason="đã có quyết định", kinds=["operational"]
        )
        clocks.clock_start(case=case, rule_code="result_notice", at=at, anonymous=case.is_anonymous)
        if not case.is_anonymous and notice_send(case=case, code="result_notice") is not None:
            clocks.clock_meet(case=case, rule_code="result_notice", at=at)
    elif status == Status.TRANSFERRED:
        clocks.clock_meet(case=case, rule_code="transfer", at=at)
        clocks.clocks_cancel_open(case=case, at=at, reason="đã chuyển cơ quan có thẩm quyền")
    elif status in {Status.ANSWERED, Status.CLOSED}:
        clocks.clocks_cancel_open(case=case, at=at, reason=case.get_status_display())
    elif (
        previous
        not in {
            Status.RECEIVED,
            Status.CLASSIFIED,
            Status.VERIFYING,
            Status.SUSPENDED,
            Status.ACKNOWLEDGED,
        }
        and case.intent == Intent.TIP
    ):
        # Reopened: the tip is being handled again; it is owed a decision again.
        clocks.clock_start(case=case, rule_code="resolve", at=at)
    _inbox_event(case, "case.updated")


def transferred(case: Case, source: Unit, at: datetime, actor: User | None) -> None:
    """The case moved to another unit: that unit owes the first acknowledgement now."""
    from binhyen.duty.models import Alert
    from binhyen.duty.services import alert_raise

    clocks = _clocks()
    clocks.clock_meet(case=case, rule_code="transfer", at=at)
    clocks.clock_cancel(case=case, rule_code=_ack_rule(case), at=at, reason="chuyển đơn vị")
    clocks.clock_start(case=case, rule_code=_ack_rule(case), at=at, reason="chuyển đơn vị")
    Alert.objects.filter(case=case, acknowledged_at__isnull=True).update(
        acknowledged_at=at, escalate_at=None
    )
    if case.intent == Intent.TIP and case.urgency in URGENT:
        alert_raise(case=case, at=at)
    _inbox_event(case, "case.updated")
