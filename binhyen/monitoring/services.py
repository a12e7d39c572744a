"""Write paths of monitoring: follows, satisfaction, reminders, award nominations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Case, CaseEvent, Intent, Status
from binhyen.cases.services.notices import notice_send
from binhyen.monitoring.models import FollowEvent, SatisfactionSurvey

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
