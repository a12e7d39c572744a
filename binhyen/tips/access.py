"""Reaching a tip with its code and password: codes, the lockout, the status page's token.

Nothing here reveals whether a code exists: a wrong code and a wrong password take the same
time and give the same answer.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from binhyen.cases import search
from binhyen.cases import services as cases
from binhyen.lib import codes
from binhyen.tips import throttle
from binhyen.tips.models import Tip

CODE_CHARS = 8  # 40 bits: an identifier, useless without the password
PASSWORD_CHARS = 10  # 50 bits, hashed with Django's password hasher
# Wrong passwords: per tip code, and per client bucket (spraying codes).
FAILS_PER_CODE = 5
FAILS_PER_CLIENT = 30
FAIL_WINDOW = 15 * 60
STATUS_TOKEN_AGE = 30 * 60
_TOKEN_SALT = "binhyen.tips.status"  # noqa: S105 (a signing salt, not a secret)


class TipError(Exception):
    """Refused; the message is shown as is."""


class TipLocked(TipError):
    """Too many wrong passwords: try again later."""


# --- codes and passwords ----------------------------------------------------------------------


def _group(raw: str, size: int) -> str:
    return "-".join(raw[i : i + size] for i in range(0, len(raw), size))


def normalise_code(text: str) -> str:
    """What the citizen typed → the canonical code (Crockford: O→0, I/L→1; no dashes)."""
    text = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return text.translate(str.maketrans("OIL", "011"))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Spent on unknown codes so that a wrong code answers as slowly as a wrong password.
    return make_password("binhyen-no-such-tip")


def code_hash(code: str) -> str:
    """Keyed on the code's random part: "TB-TDP0-K7J8", "TDP0K7J8" and "tdp0 k7j8" are the
    same code (tips filed before codes had a prefix were 8 characters: still found)."""
    return search.tip_code_hash(code)


def new_code() -> str:
    """The citizen's one code: the case code their tip's case takes (TB-XXXX-XXXX), shown on
    the success page, in the automatic messages and on the status page alike."""
    for _attempt in range(10):
        code = codes.case_code()
        if not Tip.objects.filter(code_hash=code_hash(code)).exists() and not cases.code_taken(
            code
        ):
            return code
    raise RuntimeError("could not allocate a tip code")


def new_password() -> str:
    return _group(codes.random_code(PASSWORD_CHARS), 5)


# --- opening a tip ------------------------------------------------------------------------------


def tip_open(*, code: str, password: str, client_key: str) -> Tip:
    """The tip for this code and password, or TipError (same answer for any wrong pair).

    Wrong passwords are counted per code and per client bucket; past the limit, even the
    right password is refused until the window is over (TipLocked).
    """
    hashed = code_hash(code)
    per_code = hashed[:24]
    if (
        throttle.peek("pw-code", per_code, FAIL_WINDOW) >= FAILS_PER_CODE
        or throttle.peek("pw-client", client_key, FAIL_WINDOW) >= FAILS_PER_CLIENT
    ):
        raise TipLocked(_("Bạn đã nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."))
    tip = (
        Tip.objects.select_related("case__unit", "channel_account__unit", "unit")
        .filter(code_hash=hashed)
        .first()
    )
    ok = check_password(normalise_code(password), tip.password_hash if tip else _dummy_hash())
    if tip is None or not ok:
        throttle.hit("pw-code", per_code, FAIL_WINDOW)
        throttle.hit("pw-client", client_key, FAIL_WINDOW)
        raise TipError(_("Mã tin báo hoặc mật khẩu không đúng."))
    return tip


def _token_binding(tip: Tip) -> str:
    return salted_hmac(_TOKEN_SALT, tip.password_hash).hexdigest()[:16]


def status_token(tip: Tip) -> str:
    """Carried in the status page's forms instead of a session cookie (30 minutes)."""
    return signing.dumps({"t": tip.pk, "b": _token_binding(tip)}, salt=_TOKEN_SALT)


def tip_from_token(token: str) -> Tip | None:
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=STATUS_TOKEN_AGE)
    except signing.BadSignature:
        return None
    tip = (
        Tip.objects.select_related("case__unit", "channel_account__unit", "unit")
        .filter(pk=data.get("t"))
        .first()
    )
    if tip is None or _token_binding(tip) != data.get("b"):
        return None
    return tip
