"""One conversation, many cases: a citizen's message that is about something else (a question
after a tip, a new incident elsewhere) becomes its own case, or moves to another open case of
the same conversation.

The machine splits only when it is sure (`binhyen.triage.services`); officers split or move
with one click when it is not. Each case keeps its own classification, clocks and code; the
new case points at the one it came from (`Case.split_from`), and both timelines say so.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts.access import can_see_unit
from binhyen.audit.services import audit_record
from binhyen.cases.models import Case, Message
from binhyen.cases.services.common import (
    CaseError,
    case_search_rebuild,
    case_touch,
    timeline_record,
)
from binhyen.cases.services.lifecycle import emit
from binhyen.cases.services.receiving import _summary, case_open

if TYPE_CHECKING:
    from binhyen.accounts.models import User


def _check(message: Message, actor: User | None) -> Case:
    if message.direction != Message.Direction.IN or message.case_id is None:
        raise CaseError(_("Chỉ tách hoặc chuyển được tin nhắn của người dân trong một vụ việc."))
    source = Case.objects.select_for_update().select_related("unit").get(pk=message.case_id)
    if actor is not None and not can_see_unit(actor, source.unit):
        raise CaseError(_("Bạn không có quyền với vụ việc này."))
    return source


@transaction.atomic
def message_split(
    *, message: Message, actor: User | None, reason: str, at: datetime | None = None
) -> Case:
    """The message opens its own case in the same conversation, linked to its old case.
    The new case is read by triage like any new case (its own kind, code, clocks)."""
    source = _check(message, actor)
    others = (
        Message.objects.filter(case=source, direction=Message.Direction.IN)
        .exclude(pk=message.pk)
        .exists()
    )
    if not others:
        raise CaseError(_("Đây là tin nhắn duy nhất của vụ việc: không cần tách."))
    at = at or timezone.now()
    new = case_open(
        unit_id=source.unit_id,
        channel_account=source.channel_account,
        conversation=source.conversation,
        contact=source.contact,
        summary=_summary(message.text, message.kind),
        at=message.sent_at,
        is_anonymous=source.is_anonymous,
        secrecy_requested=source.secrecy_requested,
        split_from=source,
        text=message.text,
    )
    message.case = new
    message.save(update_fields=["case"])
    case_touch(new, message.sent_at, inbound=True)
    case_search_rebuild(source)
    who = str(actor) if actor is not None else _("Máy")
    why = f": {reason}" if reason else ""
    timeline_record(
        case=source,
        actor=actor,
        at=at,
        kind="split",
        text=_("%(who)s tách một tin nhắn thành vụ việc mới %(code)s%(why)s")
        % {"who": who, "code": new.code, "why": why},
        data={"new_case": new.pk, "message": message.pk, "automatic": actor is None},
    )
    timeline_record(
        case=new,
        actor=actor,
        at=at,
        kind="split_from",
        text=_("Tách từ vụ việc %(code)s (cùng cuộc trò chuyện)%(why)s")
        % {"code": source.code, "why": why},
        data={"source": source.pk, "message": message.pk, "automatic": actor is None},
    )
    audit_record(
        action="case.split",
        actor=actor,
        target=new,
        summary=f"{source.code} → {new.code}",
        details={"source": source.code, "new": new.code, "automatic": actor is None},
    )
    emit("received", case=new, message=message, opened=True)
    return new


@transaction.atomic
def message_move(*, message: Message, to_case: Case, actor: User, reason: str = "") -> Case:
    """The officer moves a message to another open case of the same conversation (which is
    then read again with it)."""
    source = _check(message, actor)
    target = Case.objects.select_for_update().select_related("unit").get(pk=to_case.pk)
    if target.pk == source.pk:
        raise CaseError(_("Tin nhắn đã ở vụ việc này."))
    if target.conversation_id is None or target.conversation_id != source.conversation_id:
        raise CaseError(_("Chỉ chuyển được sang vụ việc của cùng cuộc trò chuyện."))
    if not target.is_open or target.merged_into_id:
        raise CaseError(_("Vụ việc nhận tin nhắn phải đang mở."))
    if not can_see_unit(actor, target.unit):
        raise CaseError(_("Bạn không có quyền với vụ việc này."))
    message.case = target
    message.save(update_fields=["case"])
    case_touch(target, message.sent_at, inbound=True, text=message.text)
    case_search_rebuild(source)
    why = f": {reason}" if reason else ""
    timeline_record(
        case=source,
        actor=actor,
        kind="message_moved",
        text=_("%(who)s chuyển một tin nhắn sang vụ việc %(code)s%(why)s")
        % {"who": actor, "code": target.code, "why": why},
        data={"to_case": target.pk, "message": message.pk},
    )
    timeline_record(
        case=target,
        actor=actor,
        kind="message_moved_in",
        text=_("%(who)s chuyển một tin nhắn từ vụ việc %(code)s sang%(why)s")
        % {"who": actor, "code": source.code, "why": why},
        data={"from_case": source.pk, "message": message.pk},
    )
    audit_record(
        action="case.message_move",
        actor=actor,
        target=target,
        summary=f"{source.code} → {target.code}",
        details={"from": source.code, "to": target.code},
    )
    emit("received", case=target, message=message, opened=False)
    return target
