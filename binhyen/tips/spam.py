"""Why a public submission is held back for an officer to look at first.

Nothing is refused for looking like spam: a submission with a hold reason is kept in the
held queue (code and password still given), and an officer releases it into the inbox or
discards it (restorable for 30 days). Mobile networks put many citizens behind one
address, so the per-client limit only ever holds, never drops.
"""

from __future__ import annotations

import re
import secrets
import time

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from binhyen.lib import vntext
from binhyen.tips import throttle

CLIENT_PER_HOUR = 5
ALL_PER_10_MIN = 60
MIN_FILL_SECONDS = 3.0
MAX_LINKS = 3
_FORM_SALT = "binhyen.tips.form"
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)

REASONS = {
    "honeypot": _("Điền vào ô ẩn dành cho máy (dấu hiệu của chương trình tự động)"),
    "no_form": _("Gửi thẳng, không qua trang biểu mẫu"),
    "too_fast": _("Gửi quá nhanh sau khi mở biểu mẫu"),
    "resubmitted": _("Cùng một biểu mẫu được gửi lại"),
    "links": _("Có nhiều đường liên kết"),
    "duplicate": _("Trùng nội dung với tin vừa gửi trong một giờ"),
    "rate_client": _("Nhiều tin từ cùng một mạng trong một giờ"),
    "flood": _("Quá nhiều tin gửi tới cùng lúc"),
}


# Reasons a person can trigger (typing fast, sending twice, a crowded mobile network):
# a tip held only for these that reads as urgent goes to the duty desk at once, its hold
# reasons shown. The others (a hidden field filled, no form at all) are programs.
HUMAN_REASONS = frozenset({"too_fast", "resubmitted", "links", "duplicate", "rate_client", "flood"})
# At most this many held-but-urgent tips an hour go straight through (a flood of urgent-looking
# spam must not ring the desk all night); the rest wait in the held queue as before.
URGENT_BYPASS_PER_HOUR = 10


def form_token() -> str:
    """Signed into each rendered form: when it was shown, and a nonce."""
    return signing.dumps({"n": secrets.token_hex(8), "t": round(time.time(), 1)}, salt=_FORM_SALT)


def form_age(token: str) -> float | None:
    try:
        data = signing.loads(token, salt=_FORM_SALT)
        return max(0.0, time.time() - float(data["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def hold_reasons(*, request: HttpRequest, text: str, token: str, honeypot: str) -> list[str]:
    """Count this submission and say why it should be held (empty: file it now)."""
    reasons: list[str] = []
    if honeypot.strip():
        reasons.append("honeypot")
    age = form_age(token)
    if age is None:
        reasons.append("no_form")
    elif age < MIN_FILL_SECONDS:
        reasons.append("too_fast")
    elif throttle.hit("form", throttle.keyed(token), 86400) > 1:
        reasons.append("resubmitted")
    if len(_URL.findall(text)) > MAX_LINKS:
        reasons.append("links")
    folded = " ".join(vntext.fold(text).split())
    if folded and throttle.hit("text", throttle.keyed(folded), 3600) > 1:
        reasons.append("duplicate")
    if throttle.hit("client", throttle.client_bucket(request, 3600), 3600) > CLIENT_PER_HOUR:
        reasons.append("rate_client")
    if throttle.hit("all", "web", 600) > ALL_PER_10_MIN:
        reasons.append("flood")
    return reasons
