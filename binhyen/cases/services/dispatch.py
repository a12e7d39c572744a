"""Sending officers to a tip and recording what came of it (CAD timestamps)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Case, CaseEvent, CaseOutcome, Dispatch, Intent
from binhyen.cases.services.common import CaseError
from binhyen.cases.services.workflow import ensure_acknowledged

if TYPE_CHECKING:
    from binhyen.accounts.models import User

STAGES = {
    "en_route": ("en_route_at", "Tổ công tác xuất phát"),
    "on_scene": ("on_scene_at", "Tổ công tác có mặt tại hiện trường"),
    "cleared": ("cleared_at", "Tổ công tác kết thúc tại hiện trường"),
}


@transaction.atomic
def dispatch_create(
    *,
    case: Case,
    actor: User,
    team: str,
    officers: list[User] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Dispatch:
    if case.intent != Intent.TIP or not case.is_open:
        raise CaseError(_("Chỉ điều động được cho tin báo đang xử lý."))
    team = team.strip()
    if not team:
        raise CaseError(_("Cần ghi tên tổ công tác."))
    at = at or timezone.now()
    ensure_acknowledged(case, actor=actor, at=at)
    dispatch = Dispatch.objects.create(
        case=case, team=team[:200], dispatched_by=actor, dispatched_at=at, note=note[:500]
    )
    if officers:
        dispatch.officers.set(officers)
    CaseEvent.objects.create(
        case=case,
        at=at,
        actor=actor,
        kind="dispatched",
        text=_("Điều động %(team)s") % {"team": team},
        data={"dispatch": dispatch.pk},
    )
    return dispatch


@transaction.atomic
def dispatch_mark(
    *, dispatch: Dispatch, actor: User, stage: str, at: datetime | None = None
) -> Dispatch:
    """Record a CAD timestamp: en_route, on_scene, cleared (in that order, once each)."""
    if stage not in STAGES:
        raise CaseError(_("Mốc thời gian không hợp lệ."))
    field, label = STAGES[stage]
    at = at or timezone.now()
    if getattr(dispatch, field) is not None:
        raise CaseError(_("Mốc này đã được ghi."))
    order = list(STAGES)
    for earlier in order[: order.index(stage)]:
        earlier_at = getattr(dispatch, STAGES[earlier][0])
        if earlier_at is not None and earlier_at > at:
            raise CaseError(_("Thời điểm trước mốc đã ghi."))
    if at < dispatch.dispatched_at:
        raise CaseError(_("Thời điểm trước lúc điều động."))
    setattr(dispatch, field, at)
    dispatch.save(update_fields=[field])
    CaseEvent.objects.create(
        case=dispatch.case,
        at=at,
        actor=actor,
        kind=f"dispatch_{stage}",
        text=f"{label} ({dispatch.team})",
        data={"dispatch": dispatch.pk},
    )
    return dispatch


@transaction.atomic
def outcome_record(
    *,
    case: Case,
    actor: User,
    people_detained: int = 0,
    vehicles_seized: int = 0,
    items_seized: list[dict[str, Any]] | None = None,
    referrals: str = "",
    summary: str = "",
) -> CaseOutcome:
    """What the action produced. Editable until the case is decided; each edit is logged."""
    if case.intent != Intent.TIP:
        raise CaseError(_("Chỉ tin báo mới có kết quả xử lý."))
    if people_detained < 0 or vehicles_seized < 0:
        raise CaseError(_("Số lượng không được âm."))
    items = []
    for item in items_seized or []:
        name = str(item.get("name", "")).strip()[:100]
        try:
            count = int(item.get("count", 1))
        except (TypeError, ValueError) as exc:
            raise CaseError(_("Số lượng tang vật không hợp lệ.")) from exc
        if name and count > 0:
            items.append({"name": name, "count": count})
    result, _created = CaseOutcome.objects.update_or_create(
        case=case,
        defaults={
            "people_detained": people_detained,
            "vehicles_seized": vehicles_seized,
            "items_seized": items,
            "referrals": referrals.strip(),
            "summary": summary.strip(),
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind="outcome_recorded",
        text=_("Kết quả: %(h)s") % {"h": result.headline() or "—"},
        data={"people": people_detained, "vehicles": vehicles_seized, "items": items},
    )
    return result


def derived_times(case: Case) -> dict[str, Any]:
    """Response, travel and on-scene times from the real timestamps (seconds)."""
    first = case.dispatches.order_by("dispatched_at").first()
    out: dict[str, Any] = {
        "acknowledge": _secs(case.acknowledged_at, case.opened_at),
        "first_response": _secs(case.first_response_at, case.opened_at),
        "dispatch": None,
        "travel": None,
        "on_scene": None,
        "arrival": None,
        "decision": _secs(case.decided_at, case.opened_at),
    }
    if first is not None:
        out["dispatch"] = _secs(first.dispatched_at, case.opened_at)
        out["travel"] = first.travel_time.total_seconds() if first.travel_time else None
        out["on_scene"] = first.on_scene_time.total_seconds() if first.on_scene_time else None
        out["arrival"] = _secs(first.on_scene_at, case.opened_at)
    return out


def _secs(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()
