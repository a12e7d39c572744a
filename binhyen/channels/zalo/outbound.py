"""Send queued replies to Zalo (worker side): never lost, never sent twice.

A reply is a Message row in state `queued`. The worker claims it (`sending`), calls Zalo
outside any transaction, and records the outcome: `sent`, back to `queued` with a later
attempt for what may pass (rate limits, Zalo down), or `failed` with the reason for the
officer (citizen out of reach, page misconfigured). When Zalo took the request but the
answer never came, the message is `uncertain` until the echo webhook or the conversation
history proves it left; only then is it sent again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from binhyen.cases import services as cases
from binhyen.cases.models import Message
from binhyen.channels.zalo import tokens
from binhyen.channels.zalo.client import SendResult, ZaloApiError, ZaloClient, ZaloErrorKind
from binhyen.lib.media import ZALO_IMAGE_MAX_BYTES, MediaError, clean_image
from binhyen.vault.store import identity_system_value

log = logging.getLogger(__name__)

UNCERTAIN_CHECK_AFTER = timedelta(minutes=2)

FAILURE_TEXT = {
    ZaloErrorKind.WINDOW: "Người dân hiện không nhận được tin từ trang (quá hạn tương tác "
    "hoặc đã chặn trang).",
    ZaloErrorKind.CONFIG: "Trang Zalo chưa được cấp quyền hoặc cấu hình sai; báo quản trị viên.",
    ZaloErrorKind.QUOTA: "Trang Zalo đã hết hạn mức gửi tin.",
    ZaloErrorKind.INVALID: "Zalo từ chối nội dung tin nhắn.",
    ZaloErrorKind.TOKEN: "Phiên kết nối trang Zalo đã hết hạn; báo quản trị viên kết nối lại.",
    ZaloErrorKind.RETRY: "Zalo tạm thời không phản hồi; đã thử lại nhiều lần.",
    ZaloErrorKind.UNKNOWN: "Zalo trả về lỗi không xác định.",
}

# The channel tasks (they call this module), queued by name.
DELIVER = "binhyen.channels.tasks.deliver_message"
RECONCILE = "binhyen.channels.tasks.reconcile_message"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


def _was_timeout(exc: ZaloApiError) -> bool:
    # The request left but no answer came back: Zalo may have delivered it.
    return exc.transport == "timeout"


def _send_once(client: ZaloClient, token: str, message: Message) -> SendResult:
    conversation = message.conversation
    assert conversation is not None
    identity = conversation.contact.identity
    anon_id = identity_system_value(identity, "zalo_anonymous_id")
    if anon_id:
        conv_id = identity_system_value(identity, "zalo_conversation_id") or ""
        return client.send_anonymous_text(
            access_token=token, anonymous_id=anon_id, conversation_id=conv_id, text=message.text
        )
    user_id = identity_system_value(identity, "zalo_user_id")
    if not user_id:
        raise ZaloApiError(
            0, "citizen erased their data or has no Zalo id", kind=ZaloErrorKind.WINDOW
        )
    image = next((a for a in message.attachments.all() if a.file), None)
    if image is not None:
        with image.file.open("rb") as fh:
            raw = fh.read()
        try:
            cleaned = clean_image(raw, max_side=1600, max_bytes=ZALO_IMAGE_MAX_BYTES)
        except MediaError as exc:
            raise ZaloApiError(0, "attachment is not an image", kind=ZaloErrorKind.INVALID) from exc
        attachment_id = client.upload_image(
            access_token=token,
            content=cleaned.content,
            filename=f"binhyen{cleaned.extension}",
            content_type=cleaned.content_type,
        )
        return client.send_image(
            access_token=token,
            user_id=user_id,
            attachment_id=attachment_id,
            caption=message.text or None,
        )
    return client.send_text(access_token=token, user_id=user_id, text=message.text)


def send(message: Message) -> None:
    """Deliver one claimed message (state `sending`) and record the outcome."""
    conversation = message.conversation
    assert conversation is not None
    account = conversation.channel_account
    client = tokens.client()
    try:
        token = tokens.access_token(account)
        try:
            result = _send_once(client, token, message)
        except ZaloApiError as exc:
            if exc.kind != ZaloErrorKind.TOKEN:
                raise
            result = _send_once(client, tokens.access_token(account, stale=token), message)
    except ZaloApiError as exc:
        _record_failure(message, exc)
        return
    cases.message_delivery_update(
        message=message, delivery=Message.Delivery.SENT, provider_message_id=result.message_id
    )


def _record_failure(message: Message, exc: ZaloApiError) -> None:

    now = timezone.now()
    log.warning("zalo send of message %s failed: %s (%s)", message.pk, exc.kind, exc.code)
    if _was_timeout(exc):
        when = now + UNCERTAIN_CHECK_AFTER
        cases.message_delivery_update(
            message=message,
            delivery=Message.Delivery.UNCERTAIN,
            error_code=exc.code,
            error_kind=str(exc.kind),
            error_message="Zalo không trả lời kịp; đang kiểm tra lại.",
            next_attempt_at=when,
        )
        cases.enqueue(RECONCILE, message.pk, run_after=when)
        return
    if exc.kind == ZaloErrorKind.RETRY and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        when = now + backoff(message.attempts)
        cases.message_delivery_update(
            message=message,
            delivery=Message.Delivery.QUEUED,
            error_code=exc.code,
            error_kind=str(exc.kind),
            error_message=(
                f"Zalo tạm thời lỗi ({exc.code}); "
                f"sẽ thử lại lúc {timezone.localtime(when):%H:%M:%S}."
            ),
            next_attempt_at=when,
        )
        cases.enqueue(DELIVER, message.pk, run_after=when)
        return
    cases.message_delivery_update(
        message=message,
        delivery=Message.Delivery.FAILED,
        error_code=exc.code,
        error_kind=str(exc.kind),
        error_message=FAILURE_TEXT.get(exc.kind, str(exc.kind)),
    )


def reconcile(message: Message) -> None:
    """An `uncertain` send: look in Zalo's conversation history before sending again."""
    conversation = message.conversation
    assert conversation is not None
    account = conversation.channel_account
    user_id = identity_system_value(conversation.contact.identity, "zalo_user_id")
    found: str | None = None
    if user_id:
        try:
            token = tokens.access_token(account)
            found = tokens.client().find_sent_message(
                access_token=token,
                user_id=user_id,
                text=message.text,
                since_ms=int(message.sent_at.timestamp() * 1000) - 60_000,
            )
        except ZaloApiError:
            # Cannot tell yet: look again later rather than risk a duplicate.

            when = timezone.now() + UNCERTAIN_CHECK_AFTER
            cases.enqueue(RECONCILE, message.pk, run_after=when)
            return
    if found:
        cases.message_delivery_update(
            message=message, delivery=Message.Delivery.SENT, provider_message_id=found
        )
        return

    cases.message_delivery_update(
        message=message,
        delivery=Message.Delivery.QUEUED,
        error_message="Chưa thấy tin trên Zalo; gửi lại.",
        next_attempt_at=timezone.now(),
    )
    cases.enqueue(DELIVER, message.pk)
