"""The officer's workflow actions on a case, in one table.

The console's buttons (through `ActionForm`, which only validates the fields) and the API's
`POST /cases/{id}/actions` (validated by its schema) both call `case_act`: an action name and
the same `ActionInput`. Adding an action means one function and one line in `ACTIONS`; both
doors get it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from binhyen.accounts.access import visible_units
from binhyen.accounts.models import User
from binhyen.cases.models import Case
from binhyen.cases.services.common import CaseError
from binhyen.cases.services.workflow import (
    case_acknowledge_feedback,
    case_answer,
    case_assign,
    case_claim,
    case_classify,
    case_close,
    case_extend_resolution,
    case_hand_over,
    case_refer_out,
    case_reopen,
    case_resolve,
    case_resume,
    case_start_verification,
    case_suspend,
    case_transfer,
)


@dataclass(frozen=True)
class ActionInput:
    """What an action may carry; each action reads the fields it needs."""

    reason: str = ""
    intent: str = ""
    category: str = ""
    urgency: str = ""
    outcome: str = ""
    to: str = ""  # hand over / refer out: the receiving body, in words
    unit: str = ""  # transfer: the receiving unit's code
    assignee: int | None = None
    extend_by: str = ""  # "unit" or "procuracy"
    months: int | None = None


CaseAction = Callable[[Case, User, ActionInput], object]


def _claim(case: Case, actor: User, p: ActionInput) -> object:
    return case_claim(case=case, actor=actor)


def _classify(case: Case, actor: User, p: ActionInput) -> object:
    return case_classify(
        case=case,
        actor=actor,
        intent=p.intent,
        category=p.category,
        urgency=p.urgency,
        reason=p.reason,
    )


def _assign(case: Case, actor: User, p: ActionInput) -> object:
    assignee = User.objects.filter(pk=p.assignee or 0, is_active=True).first()
    return case_assign(case=case, assignee=assignee, actor=actor, reason=p.reason)


def _transfer(case: Case, actor: User, p: ActionInput) -> object:
    unit = visible_units(actor).filter(code=p.unit).first() if p.unit else None
    if unit is None:
        raise CaseError(_("Chọn đơn vị nhận trong các đơn vị bạn phụ trách."))
    return case_transfer(case=case, to_unit=unit, actor=actor, reason=p.reason)


def _hand_over(case: Case, actor: User, p: ActionInput) -> object:
    return case_hand_over(case=case, actor=actor, to=p.to, reason=p.reason)


def _refer_out(case: Case, actor: User, p: ActionInput) -> object:
    return case_refer_out(case=case, actor=actor, to=p.to, reason=p.reason)


def _extend(case: Case, actor: User, p: ActionInput) -> object:
    return case_extend_resolution(
        case=case, actor=actor, by=p.extend_by, reason=p.reason, months=p.months
    )


def _resolve(case: Case, actor: User, p: ActionInput) -> object:
    return case_resolve(case=case, actor=actor, outcome=p.outcome, note=p.reason)


def _with_reason(fn: Callable[..., object]) -> CaseAction:
    def action(case: Case, actor: User, p: ActionInput) -> object:
        return fn(case=case, actor=actor, reason=p.reason)

    action.__name__ = f"_{fn.__name__}"
    return action


# action name (the console's button value, the API's `action`) -> what it does.
ACTIONS: dict[str, CaseAction] = {
    "claim": _claim,
    "classify": _classify,
    "assign": _assign,
    "transfer": _transfer,
    "start_verification": _with_reason(case_start_verification),
    "hand_over": _hand_over,
    "refer_out": _refer_out,
    "resolve": _resolve,
    "suspend": _with_reason(case_suspend),
    "resume": _with_reason(case_resume),
    "acknowledge_feedback": _with_reason(case_acknowledge_feedback),
    "answer": _with_reason(case_answer),
    "close": _with_reason(case_close),
    "reopen": _with_reason(case_reopen),
    "extend": _extend,
}


def case_act(*, case: Case, actor: User, action: str, data: ActionInput) -> object:
    """Run one workflow action by name (CaseError for an unknown one or a refused change)."""
    fn = ACTIONS.get(action)
    if fn is None:
        raise CaseError(_("Thao tác không hợp lệ."))
    return fn(case, actor, data)
