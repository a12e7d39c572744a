"""Background work for channels. Each task re-reads its row and is safe to run twice:
the durable state (event status, outbox state) decides, the queue only wakes us up."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from binhyen.cases import services as cases
from binhyen.cases.models import Attachment, Message
from binhyen.channels.inbox import release_stale_claims
from binhyen.channels.models import Provider
from binhyen.channels.zalo import outbound as zalo_outbound
from binhyen.lib.http import HttpError, download
from binhyen.lib.media import MediaError, clean_image, clean_video, sniff_content_type

log = logging.getLogger(__name__)

# Tasks that wait on other servers (Zalo's API, media CDNs) run in their own lane, so a
# slow or unreachable Zalo never delays processing what citizens send.
OUTBOUND = "outbound"

MAX_FETCH_ATTEMPTS = 5


def stuck_send_after() -> timedelta:
    """How long a send may legitimately stay `sending`: at most six Zalo calls (token
    refresh, upload, send, and all again after a rejected token), each bounded by
    ZALO_HTTP_TIMEOUT per phase (connect, write, read). Older, its sender died."""
    return timedelta(seconds=max(60.0, 6 * 3 * settings.ZALO_HTTP_TIMEOUT))


@task(queue_name=OUTBOUND)
def deliver_message(message_id: int) -> str:

    now = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, direction=Message.Direction.OUT)
            .first()
        )
        if message is None or message.delivery != Message.Delivery.QUEUED:
            return "skipped"
        if message.next_attempt_at and message.next_attempt_at > now + timedelta(seconds=1):
            return "not-due"
        message.delivery = Message.Delivery.SENDING
        message.attempts += 1
        message.next_attempt_at = now  # doubles as the claim time for the stuck-send sweep
        message.save(update_fields=["delivery", "attempts", "next_attempt_at"])
    message = Message.objects.select_related(
        "conversation__channel_account", "conversation__contact__identity"
    ).get(pk=message_id)
    provider = message.conversation.channel_account.provider if message.conversation else None
    if provider == Provider.ZALO:
        zalo_outbound.send(message)
    else:
        # Channels without an outbound API (web form): the citizen reads it on the status page.
        cases.message_delivery_update(message=message, delivery=Message.Delivery.SENT)
    return "done"


@task(queue_name=OUTBOUND)
def reconcile_message(message_id: int) -> str:

    message = (
        Message.objects.select_related(
            "conversation__channel_account", "conversation__contact__identity"
        )
        .filter(pk=message_id, delivery=Message.Delivery.UNCERTAIN)
        .first()
    )
    if message is None:
        return "skipped"
    zalo_outbound.reconcile(message)
    return "done"


@task(queue_name=OUTBOUND)
def fetch_attachment(attachment_id: int) -> str:
    att = Attachment.objects.filter(pk=attachment_id).first()
    if att is None or att.status != Attachment.Status.PENDING or not att.remote_url:
        return "skipped"
    try:
        resp = download(
            att.remote_url,
            max_bytes=settings.MEDIA_MAX_BYTES,
            allowed_hosts=settings.MEDIA_FETCH_ALLOWED_HOSTS,
        )
    except HttpError as exc:
        att.attempts += 1
        att.error = str(exc)[:300]
        if exc.retryable and att.attempts < MAX_FETCH_ATTEMPTS:
            att.save(update_fields=["attempts", "error"])
            when = timezone.now() + timedelta(seconds=30 * 2**att.attempts)
            fetch_attachment.using(run_after=when).enqueue(att.pk)
            return "retry"
        # Keep the provider's URL as a fallback link for the officer.
        att.status = Attachment.Status.FAILED
        att.save(update_fields=["attempts", "error", "status"])
        return "failed"
    content = resp.content
    sniffed = sniff_content_type(content)
    name = att.name or att.kind
    if att.kind in {"image", "gif", "sticker"} or sniffed.startswith("image/"):
        try:
            cleaned = clean_image(content)
        except MediaError:
            att.status = Attachment.Status.FAILED
            att.error = "Tệp nhận được không phải là ảnh hợp lệ."
            att.save(update_fields=["status", "error"])
            return "failed"
        content, ctype, ext = cleaned.content, cleaned.content_type, cleaned.extension
        name = f"{att.kind}{ext}"
    elif att.kind == "video" or sniffed.startswith("video/"):
        try:
            video = clean_video(content)
        except MediaError:
            # Not cleaned, not kept: its location would reach the case as it came.
            att.status = Attachment.Status.FAILED
            att.error = "Không làm sạch được siêu dữ liệu của video; xem video trên Zalo."
            att.save(update_fields=["status", "error"])
            return "failed"
        content, ctype = video.content, video.content_type
        name = f"video{video.extension}"
    else:
        ctype = sniffed
    att.file.save(name, ContentFile(content), save=False)
    att.content_type = ctype
    att.size = len(content)
    att.status = Attachment.Status.STORED
    att.error = ""
    att.save(update_fields=["file", "content_type", "size", "status", "error"])
    return "stored"


def sweep() -> dict[str, int]:
    """Periodic safety net: nothing accepted stays unprocessed because a wake-up was lost."""

    now = timezone.now()
    released = release_stale_claims()
    due = list(
        Message.objects.filter(
            direction=Message.Direction.OUT,
            delivery=Message.Delivery.QUEUED,
            next_attempt_at__lt=now - timedelta(seconds=60),
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        deliver_message.enqueue(pk)
    # A worker that died mid-send leaves `sending` behind: treat it as uncertain (settled
    # from Zalo's history before any resend). A dead sender of this host is seen at once
    # (delivery_orphaned); elsewhere, once the send is older than any send can take.
    stuck = list(
        Message.objects.filter(
            delivery=Message.Delivery.SENDING, next_attempt_at__lt=now - stuck_send_after()
        ).values_list("pk", flat=True)[:500]
    )
    for pk in stuck:
        Message.objects.filter(pk=pk, delivery=Message.Delivery.SENDING).update(
            delivery=Message.Delivery.UNCERTAIN, next_attempt_at=now
        )
        reconcile_message.enqueue(pk)
    return {"released": released, "outbox": len(due), "stuck": len(stuck)}


def delivery_orphaned(args: list[Any]) -> None:
    """The sender died while its delivery task ran: the message may have left. It becomes
    uncertain at once (settled from Zalo's history before any resend) instead of waiting
    out `stuck_send_after` (registered with core.worker.register_orphan_handler)."""
    if not args or not isinstance(args[0], int):
        return
    taken = Message.objects.filter(pk=args[0], delivery=Message.Delivery.SENDING).update(
        delivery=Message.Delivery.UNCERTAIN, next_attempt_at=timezone.now()
    )
    if taken:
        reconcile_message.enqueue(args[0])
