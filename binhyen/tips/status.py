"""The citizen's status page: the state of a tip in plain words, and the conversation."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from binhyen.cases.models import Attachment, Case, Message
from binhyen.lib.media import MediaError, clean_image
from binhyen.tips.models import Tip

STATUS_WORDS = {
    Case.Status.RECEIVED: "Đã tiếp nhận, đang chờ cán bộ xem xét.",
    Case.Status.CLASSIFIED: "Đã tiếp nhận và phân loại, đang được giải quyết.",
    Case.Status.VERIFYING: "Cán bộ đang xác minh thông tin.",
    Case.Status.SUSPENDED: "Việc xác minh đang tạm dừng theo quy định của pháp luật.",
    Case.Status.ACKNOWLEDGED: "Đã ghi nhận ý kiến của bạn.",
    Case.Status.HANDED_OVER: "Đã chuyển Cơ quan điều tra giải quyết theo thẩm quyền.",
    Case.Status.TRANSFERRED: "Đã chuyển cơ quan có thẩm quyền giải quyết.",
    Case.Status.RESOLVED: "Đã giải quyết xong.",
    Case.Status.ANSWERED: "Đã trả lời.",
    Case.Status.CLOSED: "Đã kết thúc.",
}
# While a case waits for its legal classification, what officers did already tells the
# citizen more than the status does ("received" stays until the officer classifies).
REPLIED_WORDS = "Cán bộ đã trả lời bạn (xem phần trao đổi bên dưới); tin đang được xử lý."
SEEN_WORDS = "Cán bộ đã nhận tin và đang xem xét."
DISPATCHED_WORDS = "Cán bộ đã được cử tới nơi xảy ra sự việc."
QUESTION_WORDS: dict[str, str] = {
    Case.Status.RECEIVED: "Đã nhận câu hỏi, đang chờ cán bộ trả lời.",
    Case.Status.CLASSIFIED: "Cán bộ đang chuẩn bị trả lời câu hỏi của bạn.",
    Case.Status.ANSWERED: "Cán bộ đã trả lời câu hỏi của bạn.",
}
HELD_WORDS = "Đã nhận, đang được kiểm tra trước khi chuyển tới đơn vị giải quyết."
DISCARDED_WORDS = (
    "Tin không được tiếp nhận vì bị xác định là tin rác. Nếu đây là nhầm lẫn, hãy gửi lại "
    "hoặc gọi 113 nếu khẩn cấp."
)


@dataclass(frozen=True)
class ThreadItem:
    incoming: bool
    who: str
    text: str
    at: datetime
    images: list[str] = field(default_factory=list)  # data: URIs, cleaned
    files: int = 0


@dataclass(frozen=True)
class TipStatus:
    words: str
    unit_name: str
    case_code: str
    opened_at: datetime
    is_open: bool
    can_message: bool
    thread: list[ThreadItem]


def _latest_case(tip: Tip) -> Case | None:
    if tip.case is None:
        return None
    conversation_id = tip.case.conversation_id
    case = tip.case
    if conversation_id is not None:
        case = (
            Case.objects.filter(conversation__pk=conversation_id)
            .select_related("unit")
            .order_by("-opened_at", "-id")
            .first()
        ) or tip.case
    seen = set()
    while case.merged_into_id and case.pk not in seen:
        seen.add(case.pk)
        case = Case.objects.select_related("unit").get(pk=case.merged_into_id)
    return case


def _data_uri(attachment: Attachment) -> str | None:
    try:
        with attachment.file.open("rb") as fh:
            cleaned = clean_image(fh.read(), max_side=1024, max_bytes=300_000)
    except (MediaError, OSError, ValueError):
        return None
    return f"data:{cleaned.content_type};base64," + base64.b64encode(cleaned.content).decode()


def status_words(case: Case) -> str:
    """The case's real state in the citizen's words: its status, and while it waits for a
    decision, what officers already did (replied, took it up, went to the scene)."""
    status = case.status
    if case.intent == Case.Intent.QUESTION and status in QUESTION_WORDS:
        words = QUESTION_WORDS[status]
    else:
        words = STATUS_WORDS.get(status, case.get_status_display())  # type: ignore[call-overload]
    if status in (Case.Status.RECEIVED, Case.Status.CLASSIFIED, Case.Status.VERIFYING):
        if case.dispatches.exists():
            words = (
                DISPATCHED_WORDS
                if status == Case.Status.RECEIVED
                else f"{DISPATCHED_WORDS} {words}"
            )
        elif status == Case.Status.RECEIVED and case.first_response_at is not None:
            words = REPLIED_WORDS
        elif status == Case.Status.RECEIVED and (
            case.acknowledged_at is not None or case.assigned_to_id is not None
        ):
            words = SEEN_WORDS
    if status == Case.Status.RESOLVED and case.outcome:
        words += f" Kết quả: {case.get_outcome_display()}."
    return words


def tip_status(tip: Tip) -> TipStatus:
    """What the citizen sees: the status in plain words and the conversation."""
    if tip.state != Tip.State.FILED or tip.case is None:
        held = dict(tip.held or {})
        report = held.get("report") or {}
        thread = []
        if report:
            thread.append(
                ThreadItem(
                    True,
                    "Bạn",
                    report.get("text", ""),
                    tip.created_at,
                    files=len(held.get("files", [])),
                )
            )
        for f in held.get("followups", []):
            at = parse_datetime(f.get("at", "")) or tip.created_at
            thread.append(
                ThreadItem(True, "Bạn", f.get("text", ""), at, files=len(f.get("files", [])))
            )
        return TipStatus(
            words=HELD_WORDS if tip.state == Tip.State.HELD else DISCARDED_WORDS,
            unit_name=tip.channel_account.unit.name,
            case_code="",
            opened_at=tip.created_at,
            is_open=tip.state == Tip.State.HELD,
            can_message=tip.state == Tip.State.HELD,
            thread=thread,
        )
    case = _latest_case(tip) or tip.case
    words = status_words(case)
    shown = {Message.Delivery.SENT, Message.Delivery.DELIVERED, Message.Delivery.SEEN}
    cid = tip.case.conversation_id
    messages = (
        Message.objects.filter(Q(conversation__pk=cid) if cid is not None else Q(case=tip.case))
        .exclude(direction=Message.Direction.SYSTEM)
        .prefetch_related("attachments")
        .order_by("sent_at", "id")
    )
    thread = []
    for m in messages:
        if m.direction == Message.Direction.OUT and m.delivery not in shown:
            continue
        incoming = m.direction == Message.Direction.IN
        who = (
            "Bạn"
            if incoming
            else (f"Cán bộ {case.unit.name}" if m.author_id else "Tin nhắn tự động")
        )
        images: list[str] = []
        files = 0
        for a in m.attachments.all():
            if not incoming and a.file and a.is_image:
                uri = _data_uri(a)
                if uri:
                    images.append(uri)
                    continue
            files += 1
        thread.append(ThreadItem(incoming, who, m.text, m.sent_at, images, files))
    return TipStatus(
        words=words,
        unit_name=case.unit.name,
        case_code=tip.case.code,  # the citizen's one code, even if a later case opened
        opened_at=tip.case.opened_at,
        is_open=case.is_open,
        can_message=True,
        thread=thread,
    )
