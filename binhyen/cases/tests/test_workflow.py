"""Every workflow transition, allowed and refused, with its timeline entry."""

from __future__ import annotations

import pytest
from django.utils import timezone

from binhyen.cases import services
from binhyen.cases.models import Case, CaseEvent, Intent, Outcome, Status
from binhyen.cases.services import CaseError
from binhyen.cases.services.workflow import TRANSITIONS, allowed_actions
from binhyen.clocks.models import CaseClock

CALLS = {
    "start_verification": lambda c, u: services.case_start_verification(case=c, actor=u),
    "hand_over": lambda c, u: services.case_hand_over(
        case=c, actor=u, to="Cơ quan CSĐT", reason="có dấu hiệu tội phạm"
    ),
    "refer_out": lambda c, u: services.case_refer_out(
        case=c, actor=u, to="UBND xã", reason="tranh chấp đất đai"
    ),
    "resolve": lambda c, u: services.case_resolve(case=c, actor=u, outcome=Outcome.NOT_A_CRIME),
    "suspend": lambda c, u: services.case_suspend(case=c, actor=u, reason="chưa xác định được"),
    "resume": lambda c, u: services.case_resume(case=c, actor=u, reason="có căn cứ mới"),
    "acknowledge_feedback": lambda c, u: services.case_acknowledge_feedback(case=c, actor=u),
    "answer": lambda c, u: services.case_answer(case=c, actor=u),
    "close": lambda c, u: services.case_close(case=c, actor=u),
    "reopen_tip": lambda c, u: services.case_reopen(case=c, actor=u, reason="thêm chứng cứ"),
    "reopen": lambda c, u: services.case_reopen(case=c, actor=u, reason="hỏi thêm"),
}


def _case(world, *, intent: str, status: str) -> Case:
    case = services.case_open(
        unit_id=world.bmt.pk,
        channel_account=world.bmt_page,
        conversation=None,
        contact=None,
        summary="x",
        at=timezone.now(),
    )
    Case.objects.filter(pk=case.pk).update(
        intent=intent, status=status, urgency="normal" if intent == "tip" else ""
    )
    case.refresh_from_db()
    return case


ALLOWED = [
    (action, status, intent)
    for action, t in TRANSITIONS.items()
    for status in sorted(t.sources)
    for intent in sorted(t.intents)
]
REFUSED_STATUS = [
    (action, status, sorted(t.intents)[0])
    for action, t in TRANSITIONS.items()
    for status in sorted(set(Status.values) - t.sources)
]
# Reopening has one service whose variant follows the intent: not refusable by intent.
REFUSED_INTENT = [
    (action, sorted(t.sources)[0], intent)
    for action, t in TRANSITIONS.items()
    if action not in {"reopen", "reopen_tip"}
    for intent in sorted(set(Intent.values) - t.intents)
]


def test_every_transition_has_a_service():
    assert set(CALLS) == set(TRANSITIONS)


@pytest.mark.parametrize("action,status,intent", ALLOWED)
def test_allowed_transition_moves_the_case_and_writes_the_timeline(world, action, status, intent):
    case = _case(world, intent=intent, status=status)
    assert action in {t.action for t in allowed_actions(case)}
    CALLS[action](case, world.officer_bmt)
    case.refresh_from_db()
    assert case.status == TRANSITIONS[action].target
    entry = CaseEvent.objects.filter(case=case, kind=f"status:{action}").get()
    assert entry.actor == world.officer_bmt
    assert entry.data["from"] == status and entry.data["to"] == case.status


@pytest.mark.parametrize("action,status,intent", REFUSED_STATUS)
def test_transition_from_a_wrong_state_is_refused(world, action, status, intent):
    case = _case(world, intent=intent, status=status)
    with pytest.raises(CaseError):
        CALLS[action](case, world.officer_bmt)
    case.refresh_from_db()
    assert case.status == status
    assert not CaseEvent.objects.filter(case=case, kind__startswith="status:").exists()


@pytest.mark.parametrize("action,status,intent", REFUSED_INTENT)
def test_transition_for_a_wrong_kind_of_case_is_refused(world, action, status, intent):
    case = _case(world, intent=intent, status=status)
    with pytest.raises(CaseError):
        CALLS[action](case, world.officer_bmt)
    case.refresh_from_db()
    assert case.status == status


@pytest.mark.parametrize("action", ["hand_over", "refer_out", "suspend", "resume"])
def test_transitions_that_need_a_reason_refuse_without_one(world, action):
    t = TRANSITIONS[action]
    case = _case(world, intent="tip", status=sorted(t.sources)[0])
    with pytest.raises(CaseError):
        if action in {"hand_over", "refer_out"}:
            getattr(services, f"case_{action}")(
                case=case, actor=world.officer_bmt, to="X", reason="  "
            )
        else:
            getattr(services, f"case_{action}")(case=case, actor=world.officer_bmt, reason="")


def test_tips_cannot_be_closed_without_an_outcome(world):
    case = _case(world, intent="tip", status=Status.VERIFYING)
    with pytest.raises(CaseError, match="kết quả"):
        services.case_close(case=case, actor=world.officer_bmt)


def test_resolve_requires_a_known_outcome(world):
    case = _case(world, intent="tip", status=Status.VERIFYING)
    with pytest.raises(CaseError):
        services.case_resolve(case=case, actor=world.officer_bmt, outcome="made_up")


def test_decision_time_is_recorded_and_cleared_on_reopen(world):
    case = _case(world, intent="tip", status=Status.VERIFYING)
    services.case_resolve(case=case, actor=world.officer_bmt, outcome=Outcome.NO_GROUNDS)
    assert case.decided_at and case.closed_at and case.outcome == Outcome.NO_GROUNDS
    services.case_reopen(case=case, actor=world.officer_bmt, reason="có chứng cứ mới")
    case.refresh_from_db()
    assert case.status == Status.VERIFYING
    assert case.decided_at is None and case.closed_at is None and case.outcome == ""


def test_classification_moves_received_to_classified_and_records_before_after(world):
    case = _case(world, intent="unknown", status=Status.RECEIVED)
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="drugs", urgency="high"
    )
    case.refresh_from_db()
    assert case.status == Status.CLASSIFIED and case.classified_at
    entry = CaseEvent.objects.get(case=case, kind="status:classify")
    assert entry.data["before"]["intent"] == "unknown"
    assert entry.data["after"] == {"intent": "tip", "category": "drugs", "urgency": "high"}


def test_reclassification_keeps_the_state(world):
    case = _case(world, intent="tip", status=Status.VERIFYING)
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="gambling", urgency="normal"
    )
    case.refresh_from_db()
    assert case.status == Status.VERIFYING and case.category == "gambling"


def test_a_tip_needs_an_urgency(world):
    case = _case(world, intent="unknown", status=Status.RECEIVED)
    with pytest.raises(CaseError):
        services.case_classify(
            case=case, actor=world.officer_bmt, intent="tip", category="drugs", urgency=""
        )


def test_first_officer_action_acknowledges_and_assigns(world):
    case = _case(world, intent="tip", status=Status.CLASSIFIED)
    services.case_start_verification(case=case, actor=world.officer_bmt)
    case.refresh_from_db()
    assert case.acknowledged_by == world.officer_bmt and case.acknowledged_at
    assert case.assigned_to == world.officer_bmt


def test_claim_then_reassign(world):
    case = _case(world, intent="tip", status=Status.RECEIVED)
    services.case_claim(case=case, actor=world.officer_bmt)
    services.case_assign(
        case=case,
        assignee=world.commander_bmt,
        actor=world.commander_bmt,
        reason="chỉ huy trực tiếp",
    )
    case.refresh_from_db()
    assert case.assigned_to == world.commander_bmt
    assert CaseEvent.objects.filter(case=case, kind="assigned").count() == 1


def test_cannot_assign_to_an_officer_of_another_commune(world):
    case = _case(world, intent="tip", status=Status.RECEIVED)
    with pytest.raises(CaseError):
        services.case_assign(case=case, assignee=world.officer_tanan, actor=world.officer_bmt)


def test_manual_transfer_moves_the_case_and_resets_acknowledgement(world):
    case = _case(world, intent="tip", status=Status.RECEIVED)
    services.case_claim(case=case, actor=world.province_officer)
    services.case_transfer(
        case=case, to_unit=world.tanan, actor=world.province_officer, reason="địa bàn phường Tân An"
    )
    case.refresh_from_db()
    assert case.unit == world.tanan and case.received_by_unit == world.bmt
    assert case.acknowledged_at is None and case.assigned_to is None
    entry = CaseEvent.objects.get(case=case, kind="transferred")
    assert "Tân An" in entry.text and "địa bàn" in entry.text


def test_commune_officer_cannot_transfer_sideways_but_can_send_up(world):
    case = _case(world, intent="tip", status=Status.RECEIVED)
    with pytest.raises(CaseError):
        services.case_transfer(case=case, to_unit=world.tanan, actor=world.officer_bmt, reason="x")
    services.case_transfer(
        case=case, to_unit=world.province, actor=world.officer_bmt, reason="vượt thẩm quyền xã"
    )
    case.refresh_from_db()
    assert case.unit == world.province


@pytest.mark.parametrize(
    "intent,target", [("tip", Status.VERIFYING), ("question", Status.RECEIVED)]
)
def test_reopen_goes_back_to_work_by_kind(world, intent, target):
    case = _case(world, intent=intent, status=Status.CLOSED)
    services.case_reopen(case=case, actor=world.officer_bmt, reason="người dân hỏi lại")
    case.refresh_from_db()
    assert case.status == target


def test_resolution_is_extended_by_the_unit_then_the_procuracy(world):

    case = _case(world, intent="unknown", status=Status.RECEIVED)
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="fraud", urgency="normal"
    )
    first = CaseClock.objects.get(case=case, family="resolve", state="running").due_at
    services.case_extend_resolution(
        case=case, actor=world.commander_bmt, by="unit", reason="vụ việc phức tạp, QĐ số 12"
    )
    second = CaseClock.objects.get(case=case, family="resolve", state="running").due_at
    services.case_extend_resolution(
        case=case, actor=world.commander_bmt, by="procuracy", reason="VKS gia hạn", months=2
    )
    third = CaseClock.objects.get(case=case, family="resolve", state="running").due_at
    assert first < second < third
    with pytest.raises(CaseError):
        services.case_extend_resolution(
            case=case, actor=world.commander_bmt, by="procuracy", reason="lần hai", months=1
        )
    assert CaseEvent.objects.filter(case=case, kind="extended").count() == 2


def test_suspension_pauses_the_resolution_clock_and_resumption_restarts_it(world):

    case = _case(world, intent="unknown", status=Status.RECEIVED)
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="fraud", urgency="normal"
    )
    services.case_start_verification(case=case, actor=world.officer_bmt)
    services.case_suspend(case=case, actor=world.commander_bmt, reason="chưa xác định đối tượng")
    assert CaseClock.objects.get(case=case, family="resolve", state="paused")
    assert CaseClock.objects.filter(
        case=case, rule__code="suspension_review", state="running"
    ).exists()
    services.case_resume(case=case, actor=world.commander_bmt, reason="có căn cứ mới")
    running = CaseClock.objects.get(case=case, family="resolve", state="running")
    assert running.rule.code == "resolve_resumed"


def test_decision_meets_the_legal_clocks_and_owes_the_result_notice(world):

    case = _case(world, intent="unknown", status=Status.RECEIVED)
    services.case_classify(
        case=case, actor=world.officer_bmt, intent="tip", category="fraud", urgency="normal"
    )
    services.case_start_verification(case=case, actor=world.officer_bmt)
    services.case_resolve(case=case, actor=world.officer_bmt, outcome=Outcome.NOT_A_CRIME)
    states = dict(CaseClock.objects.filter(case=case).values_list("rule__code", "state"))
    assert states["classify"] == "met" and states["resolve"] == "met"
    assert states["commune_check"] == "met"
    # No Zalo conversation in this case: the result notice stays owed (running).
    assert states["result_notice"] in {"running", "met"}
