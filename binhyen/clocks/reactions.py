"""How the clocks follow a case (wired in `cases.services.lifecycle.REACTIONS`).

Which duty starts, is met, pauses or stops on each move of a case; the rules themselves
(durations, legal bases) are in `binhyen.lib.clocks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from binhyen.cases.models import Case, Intent, Status
from binhyen.cases.services import CaseError
from binhyen.clocks import services as clocks

DECISION_CLOCKS = ("resolve", "commune_check", "transfer")
# Automatic notices whose sending is itself a duty with a clock.
NOTICE_CLOCKS = {"receipt_notice", "result_notice"}


def ack_rule(case: Case) -> str:
    """The first-acknowledgement rule for the case's urgency."""
    return (
        f"first_ack_{case.urgency}" if case.urgency in {"critical", "high"} else "first_ack_normal"
    )


def case_opened(*, case: Case, at: datetime, **_rest: Any) -> None:
    # Opened in this transaction: no clock can be open yet.
    clocks.clocks_start_new_case(case=case, rule_codes=["classify", ack_rule(case)], at=at)


def case_acknowledged(*, case: Case, at: datetime, **_rest: Any) -> None:
    clocks.clock_meet(case=case, rule_code="first_ack_normal", at=at)


# Not tips: no legal classification duty, an operational clock to answer instead.
ANSWERED_KINDS = (Intent.QUESTION, Intent.FEEDBACK)


def case_triaged(*, case: Case, at: datetime, **_rest: Any) -> None:
    """The suggested urgency may shorten (or lengthen) the first-acknowledgement clock; the
    suggested kind chooses between the legal classification clock (a tip, or not read yet)
    and the operational answer clock (a question or feedback)."""
    running = clocks.clocks_open(case)  # one lookup for the moves below
    if case.acknowledged_at is None:
        clocks.clock_start(
            case=case,
            rule_code=ack_rule(case),
            at=case.opened_at,
            replace=True,
            open_clocks=running,
        )
    if case.classified_at is not None:
        return
    if case.intent in ANSWERED_KINDS:
        clocks.clock_cancel(
            case=case,
            rule_code="classify",
            at=at,
            reason=_("không phải tin báo"),
            open_clocks=running,
        )
        clocks.clock_start(case=case, rule_code="answer", at=case.opened_at, open_clocks=running)
    else:
        clocks.clock_cancel(
            case=case,
            rule_code="answer",
            at=at,
            reason=_("có thể là tin báo"),
            open_clocks=running,
        )
        clocks.clock_start(case=case, rule_code="classify", at=case.opened_at, open_clocks=running)


def case_classified(*, case: Case, before: dict[str, Any], at: datetime, **_rest: Any) -> None:
    clocks.clock_meet(case=case, rule_code="classify", at=at)
    if case.intent == Intent.TIP:
        if case.acknowledged_at is None:
            clocks.clock_start(case=case, rule_code=ack_rule(case), at=case.opened_at, replace=True)
        clocks.clock_start(case=case, rule_code="resolve", at=case.opened_at)
        if case.unit.kind == "commune":
            clocks.clock_start(case=case, rule_code="commune_check", at=case.opened_at)
        clocks.clock_start(
            case=case, rule_code="receipt_notice", at=at, anonymous=case.is_anonymous
        )
        clocks.clock_cancel(case=case, rule_code="answer", at=at, reason=_("là tin báo"))
    else:
        if before.get("intent") == Intent.TIP:
            clocks.clocks_cancel_open(
                case=case, at=at, reason="không phải tin báo", kinds=["legal"]
            )
        if case.intent in ANSWERED_KINDS:
            clocks.clock_start(case=case, rule_code="answer", at=case.opened_at)


def case_transitioned(*, case: Case, previous: str, at: datetime, **_rest: Any) -> None:
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
    elif status == Status.TRANSFERRED:
        clocks.clock_meet(case=case, rule_code="transfer", at=at)
        clocks.clocks_cancel_open(case=case, at=at, reason="đã chuyển cơ quan có thẩm quyền")
    elif status == Status.ACKNOWLEDGED:
        clocks.clock_meet(case=case, rule_code="answer", at=at)  # feedback taken note of
    elif status in {Status.ANSWERED, Status.CLOSED}:
        if status == Status.ANSWERED:
            clocks.clock_meet(case=case, rule_code="answer", at=at)
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


def case_transferred(*, case: Case, at: datetime, **_rest: Any) -> None:
    """The case moved to another unit: that unit owes the first acknowledgement now."""
    running = clocks.clocks_open(case)  # one lookup for the three moves
    clocks.clock_meet(case=case, rule_code="transfer", at=at, open_clocks=running)
    clocks.clock_cancel(
        case=case, rule_code=ack_rule(case), at=at, reason="chuyển đơn vị", open_clocks=running
    )
    clocks.clock_start(
        case=case, rule_code=ack_rule(case), at=at, reason="chuyển đơn vị", open_clocks=running
    )


def case_merged(*, duplicate: Case, primary: Case, at: datetime, **_rest: Any) -> None:
    clocks.clocks_cancel_open(
        case=duplicate, at=at, reason=_("đã gộp vào %(c)s") % {"c": primary.code}
    )


def resolution_extended(
    *, case: Case, rule: str, at: datetime, months: int | None, reason: str, **_rest: Any
) -> None:
    try:
        clocks.clock_extend(
            case=case,
            rule_code="resolve",
            extension_rule_code=rule,
            at=at,
            amount=months,
            reason=reason,
        )
    except clocks.ClockError as exc:
        raise CaseError(str(exc)) from exc


def notice_sent(*, case: Case, code: str, at: datetime, **_rest: Any) -> None:
    if code in NOTICE_CLOCKS:
        clocks.clock_meet(case=case, rule_code=code, at=at)
