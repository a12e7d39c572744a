"""Write paths of monitoring: follows, satisfaction, reminders, award nominations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen import live
from binhyen.accounts.models import Membership, Role, User
from binhyen.cases.models import Case, CaseEvent, Intent, Status
from binhyen.cases.services.notices import notice_send
from binhyen.duty.services import messenger_notify
from binhyen.monitoring.models import AwardNomination, FollowEvent, Reminder, SatisfactionSurvey
from binhyen.monitoring.periods import Period
from binhyen.units.models import Unit

if TYPE_CHECKING:
    from binhyen.cases.models import Contact, Conversation

# Zalo lets the page write for 7 days after the citizen's last message: an answer to the
# question later than that is not taken as one.
SURVEY_REPLY_WINDOW = timedelta(days=7)
ENDED = {Status.RESOLVED, Status.HANDED_OVER, Status.TRANSFERRED, Status.ANSWERED, Status.CLOSED}
_SCORE = re.compile(r"^\s*([1-5])\s*(?:/\s*5|sao|điểm|diem|đ)?\s*[.!]*\s*$", re.IGNORECASE)


class MonitoringError(Exception):
    """A monitoring action was refused; the message is shown as is."""


# --- followers --------------------------------------------------------------------------------


def follow_record(
    *, contact: Contact, following: bool, previous: bool | None, at: datetime
) -> FollowEvent | None:
    """A follow or unfollow that changed something (a repeated follow is not a new follower)."""
    if previous is following:
        return None
    account = contact.channel_account
    return FollowEvent.objects.create(
        channel_account=account, unit_id=account.unit_id, at=at, following=following
    )


# --- satisfaction -----------------------------------------------------------------------------


def satisfaction_ask_on_close(*, case: Case, previous: str, at: datetime) -> None:
    """When a tip, question or feedback ends, ask the citizen once how satisfied they are."""
    if case.status not in ENDED or previous not in Case.OPEN_STATUSES:
        return
    if case.intent not in (Intent.TIP, Intent.QUESTION, Intent.FEEDBACK) or case.merged_into_id:
        return
    if case.channel_account_id is None or SatisfactionSurvey.objects.filter(case=case).exists():
        return
    provider = case.channel_account.provider if case.channel_account else ""
    via = SatisfactionSurvey.Via.ZALO if provider == "zalo" else SatisfactionSurvey.Via.WEB
    if via == SatisfactionSurvey.Via.WEB and provider != "web":
        return  # API clients have no citizen to ask
    if notice_send(case=case, code="satisfaction") is None and via == SatisfactionSurvey.Via.ZALO:
        return  # the page can no longer write to the citizen: nothing was asked
    SatisfactionSurvey.objects.create(case=case, unit_id=case.unit_id, via=via, asked_at=at)


def parse_score(text: str) -> int | None:
    m = _SCORE.match(text or "")
    return int(m.group(1)) if m else None


@transaction.atomic
def satisfaction_record(
    *, case: Case, score: int, at: datetime | None = None
) -> SatisfactionSurvey:
    """The citizen's answer (1–5). Only the first answer counts."""
    if score not in range(1, 6):
        raise MonitoringError(_("Mức hài lòng phải từ 1 đến 5."))
    survey = SatisfactionSurvey.objects.select_for_update().filter(case=case).first()
    if survey is None:
        raise MonitoringError(_("Vụ việc này chưa hỏi mức hài lòng."))
    if survey.score is not None:
        raise MonitoringError(_("Bạn đã đánh giá vụ việc này rồi. Cảm ơn bạn."))
    at = at or timezone.now()
    survey.score = score
    survey.answered_at = at
    survey.save(update_fields=["score", "answered_at"])
    CaseEvent.objects.create(
        case=case,
        at=at,
        kind="satisfaction",
        text=_("Người dân đánh giá mức hài lòng: %(n)s/5") % {"n": score},
        data={"score": score},
    )
    return survey


def satisfaction_claim_reply(*, conversation: Conversation, text: str, at: datetime) -> Case | None:
    """A Zalo message "1"…"5" right after we asked: the answer, not a new case."""
    score = parse_score(text)
    if score is None:
        return None
    survey = (
        SatisfactionSurvey.objects.filter(
            case__conversation=conversation,
            score__isnull=True,
            asked_at__gte=at - SURVEY_REPLY_WINDOW,
            asked_at__lte=at,
        )
        .select_related("case")
        .order_by("-asked_at")
        .first()
    )
    if survey is None:
        return None
    satisfaction_record(case=survey.case, score=score, at=at)
    return survey.case


def survey_pending_for(case: Case) -> SatisfactionSurvey | None:
    return SatisfactionSurvey.objects.filter(case=case, score__isnull=True).first()


def figures_snapshot(fig: Any) -> dict[str, Any]:
    """The figures kept with a reminder or a nomination (what the decision was based on)."""
    return fig.as_dict() if hasattr(fig, "as_dict") else dict(fig)


# --- reminders --------------------------------------------------------------------------------


@transaction.atomic
def reminder_send(
    *,
    unit: Unit,
    actor: User,
    period: Period,
    text: str,
    reasons: list[str] | None = None,
    figures: dict[str, Any] | None = None,
) -> Reminder:
    """Province command reminds a unit: recorded, shown in the unit's console and sent to its
    commanders' own Zalo; it stays open until a commander acknowledges it."""
    text = text.strip()
    if not text:
        raise MonitoringError(_("Cần ghi nội dung nhắc nhở."))
    reminder = Reminder.objects.create(
        unit=unit,
        period_start=period.start,
        period_end=period.end,
        text=text[:2000],
        reasons=[str(r)[:200] for r in (reasons or [])][:20],
        figures=figures or {},
        sent_by=actor,
    )
    words = _("Nhắc nhở từ Công an tỉnh (%(period)s): %(text)s") % {
        "period": period.title_vi,
        "text": text[:500],
    }
    for commander in User.objects.filter(
        memberships__unit=unit, memberships__role=Role.COMMANDER, is_active=True
    ).distinct():
        messenger_notify(user=commander, text=words)
    live.publish(
        unit_path=unit.path,
        kind="monitoring.reminder",
        payload={"unit": unit.name, "text": text[:300]},
        roles={Role.COMMANDER},
    )
    return reminder


@transaction.atomic
def reminder_acknowledge(*, reminder: Reminder, actor: User, response: str = "") -> Reminder:
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.acknowledged_at is not None:
        raise MonitoringError(_("Nhắc nhở này đã được xác nhận."))
    reminder.acknowledged_at = timezone.now()
    reminder.acknowledged_by = actor
    reminder.response = response.strip()[:2000]
    reminder.save(update_fields=["acknowledged_at", "acknowledged_by", "response"])
    return reminder


def reminders_open_for(units: list[Unit]) -> list[Reminder]:
    if not units:
        return []
    q = Q()
    for unit in units:
        q |= Q(unit__path__startswith=unit.path)
    return list(
        Reminder.objects.filter(q, acknowledged_at__isnull=True)
        .select_related("unit", "sent_by")
        .order_by("-sent_at")
    )


# --- award nominations ------------------------------------------------------------------------


@transaction.atomic
def award_nominate(
    *,
    unit: Unit,
    actor: User,
    period: Period,
    reason: str,
    figures: dict[str, Any],
    officer: User | None = None,
) -> AwardNomination:
    """Record a proposal to reward a unit or one of its officers, with its figures."""
    reason = reason.strip()
    if not reason:
        raise MonitoringError(_("Cần ghi rõ thành tích đề nghị khen thưởng."))
    if (
        officer is not None
        and not Membership.objects.filter(user=officer, unit__path__startswith=unit.path).exists()
    ):
        raise MonitoringError(_("Cán bộ này không thuộc đơn vị được đề nghị."))
    nomination = AwardNomination.objects.create(
        unit=unit,
        officer=officer,
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        reason=reason[:2000],
        figures=figures,
        nominated_by=actor,
    )
    return nomination


@transaction.atomic
def award_withdraw(*, nomination: AwardNomination, actor: User) -> AwardNomination:
    if nomination.withdrawn_at is None:
        nomination.withdrawn_at = timezone.now()
        nomination.save(update_fields=["withdrawn_at"])
    return nomination


def officer_figures(officer: User, period: Period) -> dict[str, int]:
    """An officer's own work in the period, from the timeline: cases acknowledged, replies,
    decisions, dispatches."""
    events = CaseEvent.objects.filter(actor=officer, at__gte=period.start, at__lt=period.end)
    kinds: dict[str, int] = {
        r["kind"]: r["n"] for r in events.values("kind").annotate(n=Count("id")).order_by()
    }
    return {
        "acknowledged": kinds.get("acknowledged", 0),
        "replies": kinds.get("reply_queued", 0),
        "decisions": sum(
            n
            for k, n in kinds.items()
            if k in {"status:resolve", "status:hand_over", "status:refer_out", "status:answer"}
        ),
        "dispatches": kinds.get("dispatched", 0),
    }
