"""Automatic messages to the citizen: acknowledgement, receipt notice, result.

Sent through the outbox like an officer's reply, only while the channel can still reach
the citizen; otherwise the case records that the notice is owed and the officer sees it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import (
    DEFAULT_NOTICES,
    Case,
    CaseEvent,
    Message,
    NoticeTemplate,
)
from binhyen.cases.services.common import outbound_queue, timeline_in_batch, timeline_record
from binhyen.cases.services.lifecycle import emit
from binhyen.lib import memo, txbatch


def _text(code: str, case: Case) -> str | None:
    row = memo.remember(  # the wording, read once per worker batch
        ("notices.template", code), lambda: NoticeTemplate.objects.filter(code=code).first()
    )
    if row is not None and not row.is_active:
        return None
    template = row.text if row is not None else DEFAULT_NOTICES[code][1]
    opened = timezone.localtime(case.opened_at)
    values = {
        "unit": case.unit.name,
        "code": case.code,
        "opened": f"{opened:%H:%M %d/%m/%Y}",
        "outcome": case.get_outcome_display() if case.outcome else case.get_status_display(),
    }
    try:
        return template.format(**values)[:2000]
    except (KeyError, IndexError, ValueError):
        # A broken edit must not silence the notice: fall back to the default wording.
        return DEFAULT_NOTICES[code][1].format(**values)[:2000]


def notice_already_sent(case: Case, code: str) -> bool:
    rows = timeline_in_batch(case, "notice")
    if rows is not None:
        return any(r.data.get("code") == code for r in rows)
    return CaseEvent.objects.filter(case=case, kind="notice", data__code=code).exists()


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def notice_send(*, case: Case, code: str) -> Message | None:
    """Queue one automatic message (once per case and code). None when not sent."""
    if code not in DEFAULT_NOTICES or notice_already_sent(case, code):
        return None
    text = _text(code, case)
    if text is None:
        return None
    conversation = case.conversation
    now = timezone.now()
    if conversation is None:
        # Web tips: the citizen reads it on the status page; nothing leaves BinhYen.
        reachable = case.channel_account is not None
    else:
        reachable = conversation.reply_window(now) != "closed"
    if not reachable:
        timeline_record(
            case=case,
            at=now,
            kind="notice_blocked",
            text=_("Chưa gửi được “%(what)s”: kênh không còn liên lạc được với người dân.")
            % {"what": DEFAULT_NOTICES[code][0]},
            data={"code": code},
        )
        return None
    message = outbound_queue(
        conversation=conversation,
        case=case,
        text=text,
        author_label=_("Tin nhắn tự động"),
        at=now,
        deferrable=True,  # in a worker's batch: written with the batch's others
    )
    row = timeline_record(
        case=case,
        at=now,
        kind="notice",
        text=_("Gửi tự động: %(what)s") % {"what": DEFAULT_NOTICES[code][0]},
        data={"code": code, "message": message.pk},
    )
    if message.pk is None:  # deferred: the row (deferred too) names it once it is written
        txbatch.after_written(Message, lambda: row.data.__setitem__("message", message.pk))
    emit("notice_sent", case=case, code=code, at=now)
    return message
