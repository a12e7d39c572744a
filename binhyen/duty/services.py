"""Alerts that ring the on-duty officers, acknowledgement, and escalation.

A critical or high tip, or a missed deadline, raises an Alert on its case. The alert
rings (live on every open console page that may see the unit, and as a Zalo message to
officers who linked their account) the on-duty officers of the unit; critical ones ring
the province duty desk at once too. If nobody acknowledges, it escalates to the unit
commander, then to the province duty desk, at the minutes its urgency's `EscalationRule`
sets (critical: 2 and 5, high: 15 and 30 by default), each step recorded on the case with
the name of everyone it rang. Alerts nobody acknowledged are also served to every console
page on load (`ringing_alerts_for`), so an officer who signs in late still hears them.
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
from binhyen.clocks.services import clocks_due_breaches
from binhyen.duty.models import (
    ESCALATION_DEFAULTS,
    Alert,
    EscalationRule,
    Level,
    MessengerLink,
    Post,
    Shift,
)
from binhyen.lib import memo, txbatch
from binhyen.units.models import Unit

log = logging.getLogger(__name__)

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
    """Who must hear about this case at this escalation level (never nobody). Read once per
    worker batch, unit and level (a shift that starts or ends, or a membership edited,
    applies from the next batch, a fraction of a second later: as `screen_audience`)."""
    unit = case.unit
    return list(
        memo.remember(("duty.responders", unit.pk, level), lambda: _responders(unit, level, at))
    )


def _responders(unit: Unit, level: int, at: datetime | None) -> list[User]:
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


def escalation_minutes(urgency: str) -> tuple[int, int]:
    """Minutes after an alert rang: (to the unit commander, to the province duty desk)."""

    def lookup() -> tuple[int, int] | None:
        rule = EscalationRule.objects.filter(urgency=urgency).first()
        return None if rule is None else (rule.commander_after_minutes, rule.province_after_minutes)

    found = memo.remember(("escalation_minutes", urgency), lookup)  # rules change in the admin
    return found or ESCALATION_DEFAULTS.get(urgency, ESCALATION_DEFAULTS["high"])


def _next_escalation(alert: Alert, urgency: str) -> datetime | None:
    """When this alert climbs from its current level, if nobody acknowledges it."""
    commander, province = escalation_minutes(urgency)
    if alert.level == Level.UNIT:
        return alert.created_at + timedelta(minutes=commander)
    if alert.level == Level.COMMANDER:
        return alert.created_at + timedelta(minutes=province)
    return None


def ring_roles(alert: Alert, urgency: str) -> set[str]:
    """Whose console rings for this alert at its level (a role in the case's unit or a unit
    above it): the same audience the live event is published to."""
    if alert.level == Level.UNIT:
        roles = {Role.OFFICER, Role.COMMANDER, Role.DUTY}
        if urgency != "critical":
            roles = {Role.OFFICER, Role.COMMANDER}
    elif alert.level == Level.COMMANDER:
        roles = {Role.COMMANDER, Role.COMMAND}
    else:
        roles = {Role.DUTY, Role.COMMAND}
    return {str(r) for r in roles}


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def screen_audience(case: Case, roles: set[str]) -> list[User]:
    """Who holds one of these roles in the case's unit or above: their screens ring.
    Read once per worker batch and unit (memberships edited apply from the next batch)."""
    path = case.unit.path
    return list(
        memo.remember(
            ("duty.screen_audience", path, frozenset(roles)),
            lambda: list(
                User.objects.filter(
                    is_active=True,
                    memberships__unit__path__in=_ancestor_paths(path),
                    memberships__unit__is_active=True,
                    memberships__role__in=roles,
                )
                .distinct()
                .order_by("username")
            ),
        )
    )


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
        "alert_id": alert.pk,
    }


def _ring(alert: Alert, at: datetime) -> list[User]:
    case = alert.case
    people = responders(case, alert.level, at)
    roles = ring_roles(alert, case.urgency)
    live.publish(unit_path=case.unit.path, kind="alert", payload=_payload(case, alert), roles=roles)
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
    # Everyone whose console rang (the province desk rings at once for a critical tip) as
    # well as the officers on duty: the record names them all.
    screens = screen_audience(case, roles)
    everyone = people + [u for u in screens if u not in people]
    names = ", ".join(str(u) for u in everyone) or _("(không có ai)")
    # The row's own time says when; its text says who (everyone whose screen or Zalo rang).
    timeline_record(
        case=case,
        at=at,
        kind="alert",
        text=(
            _("Cảnh báo (%(level)s) đã reo tới: %(names)s")
            % {"level": Level(alert.level).label, "names": names}
        )[:480],
        data={
            "alert": alert.pk,
            "level": alert.level,
            "users": [u.pk for u in everyone],
            "on_duty": [u.pk for u in people],
            "messenger": [u.pk for u in notified],
        },
    )
    return everyone


# In a worker's batch: the unacknowledged alerts of cases by id, for the cases opened in
# the batch (every alert of theirs was made by it) and kept in step by every alert write of
# the batch, so that a case it opened is never asked "is it ringing already?".
_OPEN_ALERTS = "duty.open_alerts"


def _kept_alerts(case: Case) -> list[Alert] | None:
    """The case's unacknowledged alerts when this batch knows them all (a case it opened),
    else None: ask the database."""
    known = txbatch.known(_OPEN_ALERTS)
    if known is None:
        return None
    if case.pk not in known:
        if not getattr(case, "opened_in_batch", False):
            return None
        known[case.pk] = []
    kept: list[Alert] = known[case.pk]
    return kept


def _alerts_stopped(case: Case) -> None:
    known = txbatch.known(_OPEN_ALERTS)
    if known and case.pk in known:
        known[case.pk] = []


def alerts_stop(*, case: Case, at: datetime) -> None:
    """Stop the case's ringing alerts without naming who took it (the case moved on)."""
    kept = _kept_alerts(case)
    if kept is None:
        Alert.objects.filter(case=case, acknowledged_at__isnull=True).update(
            acknowledged_at=at, escalate_at=None
        )
    elif kept:
        Alert.objects.filter(pk__in=[alert.pk for alert in kept]).update(
            acknowledged_at=at, escalate_at=None
        )
    _alerts_stopped(case)


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def alert_raise(
    *, case: Case, reason: str = Alert.Reason.URGENT, detail: str = "", at: datetime | None = None
) -> Alert | None:
    """Ring the on-duty officers about this case (once per reason while unacknowledged)."""
    at = at or timezone.now()
    if case.acknowledged_at is not None and reason == Alert.Reason.URGENT:
        return None
    kept = _kept_alerts(case)
    if kept is not None:
        existing = next((alert for alert in kept if alert.reason == reason), None)
    else:
        existing = Alert.objects.filter(
            case=case, reason=reason, acknowledged_at__isnull=True
        ).first()
    if existing is not None:
        return existing
    alert = Alert(case=case, reason=reason, detail=detail[:300], created_at=at)
    alert.escalate_at = _next_escalation(alert, case.urgency)
    alert.save()
    if kept is not None:
        kept.append(alert)
    _ring(alert, at)
    return alert


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def case_alerts_acknowledge(*, case: Case, actor: User | None, at: datetime | None = None) -> int:
    """Somebody took the case: every ringing alert on it stops, on every screen."""
    at = at or timezone.now()
    n = Alert.objects.filter(case=case, acknowledged_at__isnull=True).update(
        acknowledged_at=at, acknowledged_by=actor, escalate_at=None
    )
    _alerts_stopped(case)
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
            nxt = alert.level + 1
            climbed = Alert(pk=alert.pk, level=nxt, created_at=alert.created_at)
            next_at = _next_escalation(climbed, alert.case.urgency)
            if next_at is not None and next_at <= now:
                next_at = now  # a worker that was down: climb one step per run
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


def ringing_alerts_for(user: User, at: datetime | None = None) -> list[Alert]:
    """The alerts this officer should act on that nobody has acknowledged: their console
    rings for them on every page load (and after a reconnect), not only when the live event
    happened to reach an open page. Who: everyone the alert has rung so far — a role it rang
    in the case's unit or above at its level or a lower one (`ring_roles`), or on duty in the
    case's unit (or, once it reached the province desk, at the province)."""
    at = at or timezone.now()
    if not user.is_active:
        return []
    alerts = list(
        active_alerts_for(user)
        .filter(case__acknowledged_at__isnull=True)
        .select_related("case__unit")
        .order_by("-created_at")[:50]
    )
    if not alerts:
        return []
    roles_at: dict[str, set[str]] = {}
    for path, role in user.memberships.filter(unit__is_active=True).values_list(
        "unit__path", "role"
    ):
        roles_at.setdefault(path, set()).add(role)
    duty_units = set(
        Shift.objects.filter(user=user, starts_at__lte=at, ends_at__gt=at).values_list(
            "unit_id", flat=True
        )
    )
    out = []
    for alert in alerts:
        case = alert.case
        # Everyone it has rung so far keeps hearing it (the province desk that rang at once
        # for a critical tip does not go quiet while the commander is being asked).
        wanted: set[str] = set()
        for level in range(alert.level + 1):
            wanted |= ring_roles(Alert(level=level), case.urgency)
        held = set().union(*(roles_at.get(p, set()) for p in _ancestor_paths(case.unit.path)))
        duty_here = case.unit_id in duty_units or (
            alert.level == Level.PROVINCE and province_of(case.unit).pk in duty_units
        )
        if held & wanted or duty_here:
            out.append(alert)
    return out


def ringing_payload(alert: Alert) -> dict[str, object]:
    """An unacknowledged alert as the console's live client shows it (the live event's
    payload, plus when it rang)."""
    return {
        "id": f"alert-{alert.pk}-{alert.level}",
        "kind": "alert",
        "ts": int(alert.created_at.timestamp() * 1000),
        "unit": alert.case.unit.path,
        "payload": _payload(alert.case, alert),
    }


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
    "ringing_alerts_for",
    "ringing_payload",
    "shift_create",
]
