"""Alerts that ring the on-duty officers, acknowledgement, and escalation.

A critical or high tip, or a missed deadline, raises an Alert on its case. The alert
rings (live on every open console page that may see the unit, and as a Zalo message to
officers who linked their account) the on-duty officers of the unit; critical ones ring
the province duty desk at once too. If nobody acknowledges before the operational clock
(first acknowledgement: 5 min critical, 30 min high) runs out, it escalates to the unit
commander, then to the province duty desk, each step recorded on the case.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen import live
from binhyen.accounts.access import can_see_unit, unit_scope_q
from binhyen.accounts.models import Role, User
from binhyen.cases.models import Case, Conversation
from binhyen.cases.services import CaseError, case_claim
from binhyen.cases.services.common import outbound_queue, timeline_record
from binhyen.clocks.models import CaseClock
from binhyen.clocks.services import clocks_due_breaches
from binhyen.duty.models import Alert, Level, MessengerLink, Post, Shift
from binhyen.units.models import Unit

log = logging.getLogger(__name__)

# Between two escalation steps when no clock says otherwise.
DEFAULT_STEP = {"critical": timedelta(minutes=5), "high": timedelta(minutes=30)}


# --- who is on duty --------------------------------------------------------------------------


def on_duty(
    unit: Unit, at: datetime | None = None, posts: set[str] | None = None
) -> QuerySet[User]:
    at = at or timezone.now()
    shifts = Shift.objects.filter(unit=unit, starts_at__lte=at, ends_at__gt=at)
    if posts:
        shifts = shifts.filter(post__in=posts)
    return User.objects.filter(is_active=True, shifts__in=shifts).distinct()


def _members(unit: Unit, roles: set[str]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__unit=unit, memberships__role__in=roles
    ).distinct()


def province_of(unit: Unit) -> Unit:
    root_code = unit.path.strip("/").split("/")[0]
    return Unit.objects.get(code=root_code)


def responders(case: Case, level: int, at: datetime | None = None) -> list[User]:
    """Who must hear about this case at this escalation level (never nobody)."""
    unit = case.unit
    if level == Level.UNIT:
        people = list(on_duty(unit, at)) or list(
            _members(unit, {Role.OFFICER, Role.COMMANDER, Role.DUTY})
        )
    elif level == Level.COMMANDER:
        people = list(_members(unit, {Role.COMMANDER})) or list(on_duty(unit, at, {Post.COMMANDER}))
    else:
        province = province_of(unit)
        people = list(on_duty(province, at, {Post.DUTY_DESK})) or list(
            _members(province, {Role.DUTY})
        )
    return people


# --- raising, ringing, acknowledging, escalating -----------------------------------------------


def _ack_deadline(case: Case, at: datetime) -> datetime:

    clock = (
        CaseClock.objects.filter(case=case, family="first_ack", state=CaseClock.State.RUNNING)
        .order_by("-started_at")
        .first()
    )
    if clock is not None and clock.due_at is not None and clock.due_at > at:
        return clock.due_at
    return at + DEFAULT_STEP.get(case.urgency, timedelta(minutes=30))


def _payload(case: Case, alert: Alert) -> dict[str, object]:
    return {
        "case_id": case.pk,
        "code": case.code,
        "urgency": case.urgency or "high",
        "category": case.category,
        "summary": case.summary,
        "unit_name": case.unit.name,
        "level": alert.level,
        "reason": alert.reason,
        "detail": alert.detail,
        "url": reverse("cases:detail", args=[case.pk]),
        "ack_url": reverse("duty:ack", args=[alert.pk]),
    }


def _ring(alert: Alert, at: datetime) -> list[User]:
    case = alert.case
    people = responders(case, alert.level, at)
    if alert.level == Level.UNIT:
        roles = {Role.OFFICER, Role.COMMANDER, Role.DUTY}
        if case.urgency != "critical":
            roles = {Role.OFFICER, Role.COMMANDER}
    elif alert.level == Level.COMMANDER:
        roles = {Role.COMMANDER, Role.COMMAND}
    else:
        roles = {Role.DUTY, Role.COMMAND}
    live.publish(
        unit_path=case.unit.path,
        kind="alert",
        payload=_payload(case, alert),
        roles={str(r) for r in roles},
    )
    text = _("[BinhYen] %(urg)s %(code)s — %(unit)s: %(summary)s") % {
        "urg": "KHẨN CẤP" if case.urgency == "critical" else "Tin báo",
        "code": case.code,
        "unit": case.unit.name,
        "summary": case.summary[:200],
    }
    if case.is_protected:
        # The messenger leaves the console: say less about a protected tip.
        text = _("[BinhYen] %(code)s — %(unit)s: có tin báo cần xử lý ngay.") % {
            "code": case.code,
            "unit": case.unit.name,
        }
    notified = [u for u in people if messenger_notify(user=u, text=text)]
    names = ", ".join(str(u) for u in people) or _("(không có ai)")
    timeline_record(
        case=case,
        at=at,
        kind="alert",
        text=(
            _("Cảnh báo %(level)s: %(names)s") % {"level": Level(alert.level).label, "names": names}
        )[:480],
        data={
            "alert": alert.pk,
            "level": alert.level,
            "users": [u.pk for u in people],
            "messenger": [u.pk for u in notified],
        },
    )
    return people


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def alert_raise(
    *, case: Case, reason: str = Alert.Reason.URGENT, detail: str = "", at: datetime | None = None
) -> Alert | None:
    """Ring the on-duty officers about this case (once per reason while unacknowledged)."""
    at = at or timezone.now()
    if case.acknowledged_at is not None and reason == Alert.Reason.URGENT:
        return None
    existing = Alert.objects.filter(case=case, reason=reason, acknowledged_at__isnull=True).first()
    if existing is not None:
        return existing
    alert = Alert.objects.create(
        case=case,
        reason=reason,
        detail=detail[:300],
        created_at=at,
        escalate_at=_ack_deadline(case, at),
    )
    _ring(alert, at)
    return alert


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def case_alerts_acknowledge(*, case: Case, actor: User | None, at: datetime | None = None) -> int:
    """Somebody took the case: every ringing alert on it stops, on every screen."""
    at = at or timezone.now()
    n = Alert.objects.filter(case=case, acknowledged_at__isnull=True).update(
        acknowledged_at=at, acknowledged_by=actor, escalate_at=None
    )
    if n:
        live.publish(
            unit_path=case.unit.path,
            kind="alert.ack",
            payload={"case_id": case.pk, "code": case.code, "by": str(actor) if actor else ""},
        )
    return n


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User) -> Alert:
    """The "Đã nhận" button on a banner: acknowledges the case itself."""

    case_claim(case=alert.case, actor=actor)
    case_alerts_acknowledge(case=alert.case, actor=actor)
    alert.refresh_from_db()
    return alert


def alerts_escalate_due(now: datetime | None = None) -> int:
    """Periodic: escalate every alert whose deadline passed unacknowledged. Safe to run
    from several workers at once (each step is claimed with a conditional UPDATE)."""
    now = now or timezone.now()
    done = 0
    due = Alert.objects.filter(
        acknowledged_at__isnull=True, escalate_at__lte=now, level__lt=Level.PROVINCE
    ).select_related("case__unit")
    for alert in due:
        with transaction.atomic():
            step = (alert.escalate_at - alert.created_at) if alert.escalate_at else None
            nxt = alert.level + 1
            next_at = now + step if (step and nxt < Level.PROVINCE) else None
            claimed = Alert.objects.filter(
                pk=alert.pk, level=alert.level, acknowledged_at__isnull=True
            ).update(level=nxt, escalated_at=now, escalate_at=next_at)
            if not claimed:
                continue
            alert.refresh_from_db()
            timeline_record(
                case=alert.case,
                at=now,
                kind="escalated",
                text=_("Chưa ai nhận xử lý: chuyển cảnh báo lên %(level)s")
                % {"level": Level(nxt).label},
                data={"alert": alert.pk, "level": nxt},
            )
            _ring(alert, now)
            done += 1
    return done


def breaches_alert(now: datetime | None = None) -> int:
    """Periodic: a deadline passed. Legal and channel breaches ring the unit; a missed first
    acknowledgement is the escalation ladder's business (its alert escalates itself)."""

    n = 0
    for clock in clocks_due_breaches(now):
        if clock.family == "first_ack":
            continue
        with transaction.atomic():
            if alert_raise(
                case=clock.case,
                reason=Alert.Reason.BREACH,
                detail=f"{clock.label_vi} ({clock.citation_vi})",
                at=now,
            ):
                n += 1
    return n


# --- linking an officer's own Zalo account ------------------------------------------------------


def messenger_notify(*, user: User, text: str) -> bool:
    """Queue a Zalo message to an officer's linked account (if linked and reachable)."""

    link = (
        MessengerLink.objects.filter(user=user, linked_at__isnull=False, contact__isnull=False)
        .select_related("contact")
        .first()
    )
    if link is None or link.contact is None:
        return False
    conversation = Conversation.objects.filter(contact=link.contact).first()
    if conversation is None or conversation.reply_window() == "closed":
        return False
    outbound_queue(conversation=conversation, text=text[:2000], author_label="BinhYen")
    return True


@transaction.atomic
def shift_create(
    *,
    unit: Unit,
    user: User,
    post: str,
    starts_at: datetime,
    ends_at: datetime,
    actor: User | None = None,
) -> Shift:

    if ends_at <= starts_at:
        raise CaseError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if ends_at - starts_at > timedelta(hours=48):
        raise CaseError(_("Một ca trực không dài quá 48 giờ."))
    if post not in Post.values:
        raise CaseError(_("Vị trí trực không hợp lệ."))
    if not can_see_unit(user, unit):
        raise CaseError(_("Cán bộ không thuộc đơn vị này."))
    return Shift.objects.create(
        unit=unit, user=user, post=post, starts_at=starts_at, ends_at=ends_at
    )


def active_or_recent_alerts_for(user: User) -> QuerySet[Alert]:

    return Alert.objects.filter(unit_scope_q(user, prefix="case__unit__")).select_related(
        "case__unit"
    )


def active_alerts_for(user: User) -> QuerySet[Alert]:

    return (
        Alert.objects.filter(acknowledged_at__isnull=True)
        .filter(unit_scope_q(user, prefix="case__unit__"))
        .select_related("case__unit")
    )


__all__ = [
    "active_alerts_for",
    "active_or_recent_alerts_for",
    "alert_acknowledge",
    "alert_raise",
    "alerts_escalate_due",
    "case_alerts_acknowledge",
    "messenger_notify",
    "on_duty",
    "responders",
    "shift_create",
]
