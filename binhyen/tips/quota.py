"""How much the held queue may store: files of held tips wait on disk until an officer
looks, and nobody has signed in to send them, so they are bounded three ways.

* per network: `TIPS_HELD_CLIENT_MB_PER_HOUR` in the client's rate-limit bucket (the same
  keyed, short-lived bucket the spam rules use; no address is stored);
* for everyone: `TIPS_HELD_ALL_MB_PER_HOUR`;
* in total: `TIPS_HELD_MAX_MB` of held files on disk at any time (`Tip.held_bytes`).

Past any of them a submission *with files* that would be held is refused with a clear
message (the citizen can send the words alone, later, or call 113); words alone are
always held, never refused. Counters are in kilobytes (a counter is a 32-bit integer).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from binhyen.tips import throttle
from binhyen.tips.models import Tip

WINDOW = 3600


class HeldStorageFull(Exception):
    """Held files over a quota or the cap; the message is for the citizen."""


def _kb(size: int) -> int:
    return -(-size // 1024)


def held_kb_stored() -> int:
    return _kb(int(Tip.objects.aggregate(n=Sum("held_bytes"))["n"] or 0))


def reserve(*, client_key: str, size: int) -> None:
    """Count `size` bytes of files about to be held, or refuse them (HeldStorageFull).

    Call inside the transaction that stores them: a refused or rolled-back submission
    counts nothing. Concurrent submissions may overshoot a limit by what they carry
    (at most a few requests' worth of files)."""
    if size <= 0:
        return
    kb = _kb(size)
    busy = _(
        "Hệ thống đang tạm ngừng nhận ảnh, video kèm tin báo. Hãy gửi tin không kèm tệp "
        "hoặc gửi lại sau. Nếu khẩn cấp, hãy gọi 113."
    )
    if held_kb_stored() + kb > settings.TIPS_HELD_MAX_MB * 1024:
        raise HeldStorageFull(busy)
    if throttle.peek("held-kb-all", "web", WINDOW) + kb > settings.TIPS_HELD_ALL_MB_PER_HOUR * 1024:
        raise HeldStorageFull(busy)
    client = client_key or "unknown"
    if (
        throttle.peek("held-kb-client", client, WINDOW) + kb
        > settings.TIPS_HELD_CLIENT_MB_PER_HOUR * 1024
    ):
        raise HeldStorageFull(
            _(
                "Đã nhận quá nhiều tệp đính kèm từ mạng của bạn trong một giờ. Hãy gửi tin "
                "không kèm ảnh, video, hoặc gửi lại sau một giờ. Nếu khẩn cấp, hãy gọi 113."
            )
        )
    throttle.hit("held-kb-all", "web", WINDOW, amount=kb)
    throttle.hit("held-kb-client", client, WINDOW, amount=kb)
