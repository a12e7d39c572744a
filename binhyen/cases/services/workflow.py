"""The case workflow: states and transitions in code, one service function per transition.

Tips follow the Criminal Procedure Code and Joint Circular 01/2017: received → classified
→ verifying → handed over to the investigating body / referred to the competent agency /
resolved with an honest outcome, with suspension and resumption, and reopening.
Questions are answered or closed; feedback is acknowledged and answered.
Every transition writes a timeline entry saying who, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from binhyen.accounts.access import can_see_unit
from binhyen.audit.services import audit_record
from binhyen.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Category,
    Intent,
    Outcome,
    Status,
    classification_label,
)
from binhyen.cases.services.common import CaseError, timeline_record
from binhyen.cases.services.lifecycle import emit
from binhyen.lib import txbatch

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.units.models import Unit

TIP = frozenset({Intent.TIP})
NOT_TIP = frozenset({Intent.QUESTION, Intent.FEEDBACK, Intent.OTHER, Intent.UNKNOWN})
ANY = frozenset(Intent.values)
TERMINAL = frozenset(set(Status.values) - set(OPEN_STATUSES))
DECISIONS = frozenset({Status.HANDED_OVER, Status.TRANSFERRED, Status.RESOLVED, Status.ANSWERED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: StrOrPromise
    sources: frozenset[str]
    target: str
    intents: frozenset[str]
    needs_reason: bool = False


def _t(
    action: str,
    label: StrOrPromise,
    sources: set[str],
    target: str,
    intents: frozenset[str],
    needs_reason: bool = False,
) -> Transition:
    return Transition(action, label, frozenset(sources), target, intents, needs_reason)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(
            "start_verification",
            gettext_lazy("Bắt đầu xác minh"),
            {Status.CLASSIFIED},
            Status.VERIFYING,
            TIP,
        ),
        _t(
            "hand_over",
            gettext_lazy("Chuyển Cơ quan điều tra"),
            {Status.CLASSIFIED, Status.VERIFYING},
            Status.HANDED_OVER,
            TIP,
            needs_reason=True,
        ),
        _t(
            "refer_out",
            gettext_lazy("Chuyển cơ quan có thẩm quyền"),
            {Status.RECEIVED, Status.CLASSIFIED, Status.VERIFYING},
            Status.TRANSFERRED,
            TIP,
            needs_reason=True,
        ),
        _t(
            "resolve",
            gettext_lazy("Kết thúc với kết quả"),
            {Status.CLASSIFIED, Status.VERIFYING},
            Status.RESOLVED,
            TIP,
        ),
        _t(
            "suspend",
            gettext_lazy("Tạm đình chỉ"),
            {Status.VERIFYING},
            Status.SUSPENDED,
            TIP,
            needs_reason=True,
        ),
        _t(
            "resume",
            gettext_lazy("Phục hồi giải quyết"),
            {Status.SUSPENDED},
            Status.VERIFYING,
            TIP,
            needs_reason=True,
        ),
        _t(
            "acknowledge_feedback",
            gettext_lazy("Ghi nhận phản ánh"),
            {Status.RECEIVED, Status.CLASSIFIED},
            Status.ACKNOWLEDGED,
            frozenset({Intent.FEEDBACK}),
        ),
        _t(
            "answer",
            gettext_lazy("Đã trả lời"),
            {Status.RECEIVED, Status.CLASSIFIED, Status.ACKNOWLEDGED},
            Status.ANSWERED,
            frozenset({Intent.QUESTION, Intent.FEEDBACK}),
        ),
        _t("close", gettext_lazy("Đóng"), set(OPEN_STATUSES), Status.CLOSED, NOT_TIP),
        _t(
            "reopen_tip",
            gettext_lazy("Mở lại"),
            set(TERMINAL),
            Status.VERIFYING,
            TIP,
            needs_reason=True,
        ),
        _t(
            "reopen",
            gettext_lazy("Mở lại"),
            set(TERMINAL),
            Status.RECEIVED,
            NOT_TIP,
            needs_reason=True,
        ),
    ]
}


def allowed_actions(case: Case) -> list[Transition]:
    return [
        t for t in TRANSITIONS.values() if case.status in t.sources and case.intent in t.intents
    ]


def _event(
    case: Case,
    *,
    kind: str,
    text: str,
    actor: User | None,
    at: datetime,
    data: dict[str, object] | None = None,
) -> CaseEvent:
    return timeline_record(case=case, at=at, actor=actor, kind=kind, text=text, data=data)


def ensure_acknowledged(case: Case, *, actor: User | None, at: datetime) -> bool:
    """The first officer action on a case is its acknowledgement (operational clock)."""
    if case.acknowledged_at is not None or actor is None:
        return False
    case.acknowledged_at = at
    case.acknowledged_by = actor
    fields = ["acknowledged_at", "acknowledged_by"]
    if case.assigned_to_id is None:
        case.assigned_to = actor
        fields.append("assigned_to")
    case.save(update_fields=fields)
    _event(
        case, kind="acknowledged", actor=actor, at=at, text=_("%(who)s nhận xử lý") % {"who": actor}
    )
    emit("acknowledged", case=case, at=at)
    return True


def _apply(
    case: Case,
    action: str,
    *,
    actor: User | None,
    reason: str = "",
    at: datetime | None = None,
    data: dict[str, object] | None = None,
) -> Case:
    transition = TRANSITIONS[action]
    at = at or timezone.now()
    if case.intent not in transition.intents:
        raise CaseError(
            _("Không thể “%(action)s” với loại “%(intent)s”.")
            % {"action": transition.label, "intent": case.get_intent_display()}
        )
    if case.status not in transition.sources:
        raise CaseError(
            _("Không thể “%(action)s” khi vụ việc đang “%(status)s”.")
            % {"action": transition.label, "status": case.get_status_display()}
        )
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise CaseError(_("Cần ghi rõ lý do."))
    if case.merged_into_id:
        raise CaseError(_("Vụ việc đã được gộp vào vụ việc khác."))
    ensure_acknowledged(case, actor=actor, at=at)
    previous = case.status
    case.status = transition.target
    fields = ["status"]
    if transition.target in DECISIONS:
        case.decided_at = at
        fields.append("decided_at")
    if transition.target in TERMINAL:
        case.closed_at = at
        fields.append("closed_at")
    elif previous in TERMINAL:
        case.closed_at = None
        case.decided_at = None
        case.outcome = ""
        fields += ["closed_at", "decided_at", "outcome"]
    case.save(update_fields=fields)
    text = str(transition.label) + (f": {reason}" if reason else "")
    _event(
        case,
        kind=f"status:{action}",
        actor=actor,
        at=at,
        text=text,
        data={"from": previous, "to": transition.target, **(data or {})},
    )
    emit("transitioned", case=case, previous=previous, at=at)
    return case


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock: two officers acting at once serialise here."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    known = dict(case._state.fields_cache)
    case.__dict__.update(locked.__dict__)
    # Related rows already loaded (page, conversation, unit…) stay, where the case still
    # points at them: no lookup again for them later in the transaction.
    for field in Case._meta.concrete_fields:
        if field.is_relation and field.name in known:
            obj = known[field.name]
            if getattr(case, field.attname) == (obj.pk if obj is not None else None):
                case._state.fields_cache.setdefault(field.name, obj)
    return case


# --- one service per transition -------------------------------------------------------------


@transaction.atomic
def case_claim(*, case: Case, actor: User) -> Case:
    """ "Nhận xử lý": the officer takes the case (first acknowledgement)."""
    _lock(case)
    claimed = ensure_acknowledged(case, actor=actor, at=timezone.now())
    if not claimed and case.assigned_to_id is None:
        case_assign(case=case, assignee=actor, actor=actor)
    return case


@transaction.atomic
def case_classify(
    *,
    case: Case,
    actor: User | None,
    intent: str,
    category: str = "",
    urgency: str = "",
    reason: str = "",
) -> Case:
    """Confirm or correct what the case is. RECEIVED → CLASSIFIED; later a reclassification."""
    _lock(case)
    if intent not in Intent.values or intent == Intent.UNKNOWN:
        raise CaseError(_("Loại tin không hợp lệ."))
    if intent != Intent.TIP:
        category, urgency = "", ""
    elif urgency not in {"critical", "high", "normal"}:
        raise CaseError(_("Tin báo cần có mức khẩn."))
    elif category and category not in Category.values:
        raise CaseError(_("Lĩnh vực không hợp lệ."))
    if not case.is_open:
        raise CaseError(_("Vụ việc đã kết thúc; mở lại trước khi phân loại."))
    if case.status == Status.SUSPENDED:
        raise CaseError(_("Vụ việc đang tạm đình chỉ."))
    at = timezone.now()
    ensure_acknowledged(case, actor=actor, at=at)
    before = {"intent": case.intent, "category": case.category, "urgency": case.urgency}
    case.intent, case.category, case.urgency = intent, category, urgency
    fields = ["intent", "category", "urgency"]
    previous = case.status
    if case.status == Status.RECEIVED:
        case.status = Status.CLASSIFIED
        fields.append("status")
    if case.classified_at is None:
        case.classified_at = at
        fields.append("classified_at")
    case.save(update_fields=fields)
    label = classification_label(intent, category, urgency)
    _event(
        case,
        kind="status:classify",
        actor=actor,
        at=at,
        text=_("Phân loại: %(label)s") % {"label": label} + (f" ({reason})" if reason else ""),
        data={
            "from": previous,
            "to": case.status,
            "before": before,
            "after": {"intent": intent, "category": category, "urgency": urgency},
        },
    )
    emit("classified", case=case, before=before, at=at, actor=actor)
    if previous != case.status:
        emit("transitioned", case=case, previous=previous, at=at)
    return case


@transaction.atomic
def case_start_verification(*, case: Case, actor: User, reason: str = "") -> Case:
    return _apply(_lock(case), "start_verification", actor=actor, reason=reason)


def _send_out(case: Case, action: str, *, actor: User, to: str, reason: str) -> Case:
    """The tip leaves the unit's hands for another body, which is named on the case."""
    _lock(case)
    to = to.strip()
    if not to:
        raise CaseError(_("Cần ghi rõ cơ quan nhận."))
    case.handed_over_to = to[:200]
    case.save(update_fields=["handed_over_to"])
    return _apply(
        case,
        action,
        actor=actor,
        reason=f"{to} — {reason}" if reason.strip() else "",
        data={"recipient": to},
    )


@transaction.atomic
def case_hand_over(*, case: Case, actor: User, to: str, reason: str) -> Case:
    """Hand the tip over to the investigating body (Cơ quan điều tra)."""
    return _send_out(case, "hand_over", actor=actor, to=to, reason=reason)


@transaction.atomic
def case_refer_out(*, case: Case, actor: User, to: str, reason: str) -> Case:
    """Not competent: refer to the competent agency (CPC Art 146(2), within 24 h)."""
    return _send_out(case, "refer_out", actor=actor, to=to, reason=reason)


@transaction.atomic
def case_resolve(*, case: Case, actor: User, outcome: str, note: str = "") -> Case:
    _lock(case)
    if outcome not in Outcome.values:
        raise CaseError(_("Cần chọn kết quả giải quyết."))
    case.outcome = outcome
    case.outcome_note = note.strip()
    case.save(update_fields=["outcome", "outcome_note"])
    label = Outcome(outcome).label
    return _apply(
        case,
        "resolve",
        actor=actor,
        reason=f"{label}" + (f" — {note}" if note else ""),
        data={"outcome": outcome},
    )


@transaction.atomic
def case_suspend(*, case: Case, actor: User, reason: str) -> Case:
    return _apply(_lock(case), "suspend", actor=actor, reason=reason)


@transaction.atomic
def case_resume(*, case: Case, actor: User, reason: str) -> Case:
    return _apply(_lock(case), "resume", actor=actor, reason=reason)


@transaction.atomic
def case_acknowledge_feedback(*, case: Case, actor: User, reason: str = "") -> Case:
    return _apply(_lock(case), "acknowledge_feedback", actor=actor, reason=reason)


@transaction.atomic
def case_answer(*, case: Case, actor: User, reason: str = "") -> Case:
    return _apply(_lock(case), "answer", actor=actor, reason=reason)


@transaction.atomic
def case_close(*, case: Case, actor: User | None, reason: str = "") -> Case:
    _lock(case)
    if not case.is_open:
        raise CaseError(_("Vụ việc đã kết thúc."))
    if case.intent == Intent.TIP:
        raise CaseError(
            _(
                "Tin báo không “đóng” được: hãy kết thúc với kết quả cụ thể, chuyển Cơ quan "
                "điều tra hoặc chuyển cơ quan có thẩm quyền."
            )
        )
    return _apply(case, "close", actor=actor, reason=reason)


@transaction.atomic
def case_reopen(*, case: Case, actor: User, reason: str) -> Case:
    _lock(case)
    if case.is_open:
        raise CaseError(_("Vụ việc đang mở."))
    if (
        case.conversation_id
        and Case.objects.filter(conversation_id=case.conversation_id, status__in=OPEN_STATUSES)
        .exclude(pk=case.pk)
        .exists()
    ):
        raise CaseError(_("Hội thoại này đã có một vụ việc khác đang mở."))
    action = "reopen_tip" if case.intent == Intent.TIP else "reopen"
    return _apply(case, action, actor=actor, reason=reason)


@transaction.atomic
def case_assign(*, case: Case, assignee: User | None, actor: User | None, reason: str = "") -> Case:
    _lock(case)
    if assignee is not None and not can_see_unit(assignee, case.unit):
        raise CaseError(_("Cán bộ này không thuộc đơn vị phụ trách vụ việc."))
    if case.assigned_to_id == (assignee.pk if assignee else None):
        return case
    at = timezone.now()
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    text = (_("Giao cho %(who)s") % {"who": assignee} if assignee else _("Bỏ giao việc")) + (
        f": {reason}" if reason else ""
    )
    _event(
        case,
        kind="assigned",
        actor=actor,
        at=at,
        text=text,
        data={"assignee": assignee.pk if assignee else None},
    )
    return case


@txbatch.atomic  # no savepoint when events share the transaction
def case_transfer(
    *, case: Case, to_unit: Unit, actor: User | None, reason: str, automatic: bool = False
) -> Case:
    """Move the case to another unit in BinhYen (routing). The new unit must acknowledge."""
    if not (getattr(case, "opened_in_batch", False) and txbatch.active()):
        # (A case opened in this worker's batch is this very row, written by this
        # transaction and invisible to any other: nothing to lock or read again.)
        _lock(case)
    if to_unit.pk == case.unit_id:
        raise CaseError(_("Vụ việc đã thuộc đơn vị này."))
    if not case.is_open:
        raise CaseError(_("Vụ việc đã kết thúc."))
    upward = case.unit.path.startswith(to_unit.path)
    if actor is not None and not (can_see_unit(actor, to_unit) or upward):
        raise CaseError(_("Bạn không có quyền chuyển tới đơn vị này."))
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Cần ghi rõ lý do chuyển."))
    at = timezone.now()
    source = case.unit
    if case.received_by_unit_id is None:
        case.received_by_unit = source
    case.unit = to_unit
    case.assigned_to = None
    case.acknowledged_at = None
    case.acknowledged_by = None
    case.save(
        update_fields=[
            "unit",
            "received_by_unit",
            "assigned_to",
            "acknowledged_at",
            "acknowledged_by",
        ]
    )
    kind = "routed" if automatic else "transferred"
    _event(
        case,
        kind=kind,
        actor=actor,
        at=at,
        text=_("Chuyển %(src)s → %(dst)s: %(why)s")
        % {"src": source.name, "dst": to_unit.name, "why": reason},
        data={"from_unit": source.code, "to_unit": to_unit.code, "automatic": automatic},
    )
    emit("transferred", case=case, source=source, at=at, actor=actor)
    audit_record(
        action="case.transfer",
        actor=actor,
        target=case,
        target_unit=to_unit,
        summary=f"{case.code}: {source.code} → {to_unit.code}",
        details={"from": source.code, "to": to_unit.code, "automatic": automatic},
    )
    return case


@transaction.atomic
def case_extend_resolution(
    *, case: Case, actor: User, by: str, reason: str, months: int | None = None
) -> Case:
    """Extend the resolution deadline: the unit (complex case, to 2 months in all, CPC Art
    147(2)) or, once, the procuracy (up to 2 more months)."""
    _lock(case)
    if case.intent != Intent.TIP or case.status not in {Status.CLASSIFIED, Status.VERIFYING}:
        raise CaseError(_("Chỉ gia hạn được tin báo đang giải quyết."))
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Cần ghi rõ lý do gia hạn."))
    code = {"unit": "resolve_extended", "procuracy": "resolve_procuracy"}.get(by)
    if code is None:
        raise CaseError(_("Hình thức gia hạn không hợp lệ."))
    at = timezone.now()
    emit("extended", case=case, rule=code, at=at, months=months, reason=reason)
    label = _("Gia hạn giải quyết") if by == "unit" else _("Viện kiểm sát gia hạn giải quyết")
    _event(
        case,
        kind="extended",
        actor=actor,
        at=at,
        text=f"{label}: {reason}",
        data={"by": by, "months": months},
    )
    return case
