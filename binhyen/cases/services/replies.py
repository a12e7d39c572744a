"""Officers' replies to citizens: the outbox."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Attachment, Case, Message
from binhyen.cases.services.common import CaseError, enqueue, outbound_queue, timeline_record
from binhyen.cases.services.workflow import ensure_acknowledged
from binhyen.lib.media import MediaError, clean_image

if TYPE_CHECKING:
    from binhyen.accounts.models import User

MAX_REPLY_CHARS = 2000


@transaction.atomic
def case_reply(
    *,
    case: Case,
    author: User,
    text: str,
    image: tuple[str, bytes, str] | None = None,
    client_token: str | None = None,
) -> Message:
    """Queue an officer's reply; the worker sends it. Idempotent on `client_token`."""
    text = text.strip()
    if client_token:
        existing = Message.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.case_id != case.pk:
                raise CaseError(_("Mã gửi đã được dùng cho vụ việc khác."))
            return existing
    if not text and image is None:
        raise CaseError(_("Nội dung trả lời đang trống."))
    if len(text) > MAX_REPLY_CHARS:
        raise CaseError(
            _("Tin trả lời dài quá %(n)d ký tự; hãy chia thành nhiều tin.") % {"n": MAX_REPLY_CHARS}
        )
    conversation = case.conversation
    if conversation is None:
        raise CaseError(_("Vụ việc này không có hội thoại với người dân."))
    now = timezone.now()
    if conversation.reply_window(now) == "closed":
        raise CaseError(
            _("Không thể nhắn cho người dân: đã quá 7 ngày kể từ lần tương tác cuối của họ.")
        )
    message = outbound_queue(
        conversation=conversation,
        case=case,
        kind=Message.Kind.IMAGE if image else Message.Kind.TEXT,
        text=text,
        author=author,
        author_label=str(author),
        client_token=client_token or None,
        at=now,
    )
    if image is not None:
        filename, content, content_type = image
        try:
            # Officers' photos lose their metadata too before they are stored.
            cleaned = clean_image(content)
        except MediaError as exc:
            raise CaseError(_("Tệp đính kèm không phải là ảnh hợp lệ.")) from exc
        filename = f"tra-loi{cleaned.extension}"
        content, content_type = cleaned.content, cleaned.content_type
        attachment = Attachment(
            message=message,
            token=secrets.token_hex(12),
            kind="image",
            name=filename[:255],
            size=len(content),
            content_type=content_type,
            status=Attachment.Status.STORED,
        )
        attachment.file.save(filename, ContentFile(content), save=False)
        attachment.save()
    fields = ["last_message_at", "unread"]
    case.last_message_at = now
    case.unread = False
    if case.first_response_at is None:
        case.first_response_at = now
        fields.append("first_response_at")
    case.save(update_fields=fields)
    ensure_acknowledged(case, actor=author, at=now)
    timeline_record(
        case=case,
        at=now,
        actor=author,
        kind="reply_queued",
        text=_("Trả lời người dân (chờ gửi)"),
        data={"message": message.pk},
    )
    return message


@transaction.atomic
def case_mark_read(*, case: Case) -> None:
    if case.unread:
        Case.objects.filter(pk=case.pk).update(unread=False)
        case.unread = False


@transaction.atomic
def message_resend(*, message: Message, actor: User) -> Message:
    """An officer asks to try a failed reply again."""
    if message.direction != Message.Direction.OUT or message.delivery != Message.Delivery.FAILED:
        raise CaseError(_("Chỉ gửi lại được tin trả lời chưa gửi được."))
    conversation = message.conversation
    if conversation is None or conversation.reply_window() == "closed":
        raise CaseError(
            _("Không thể nhắn cho người dân: đã quá 7 ngày kể từ lần tương tác cuối của họ.")
        )
    now = timezone.now()
    message.delivery = Message.Delivery.QUEUED
    message.next_attempt_at = now
    message.attempts = 0
    message.error_message = ""
    message.save(update_fields=["delivery", "next_attempt_at", "attempts", "error_message"])
    if message.case_id:
        timeline_record(
            case=message.case_id,
            at=now,
            actor=actor,
            kind="reply_retry",
            text=_("Gửi lại tin trả lời"),
            data={"message": message.pk},
        )
    enqueue("binhyen.channels.tasks.deliver_message", message.pk)
    return message
