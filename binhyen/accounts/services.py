"""Write paths for staff accounts, API tokens and the second factor."""

from __future__ import annotations

import hashlib
import io
import secrets
from base64 import b32encode

import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts.models import ApiToken, Membership, User
from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record
from binhyen.units.models import Unit

TOKEN_PREFIX = "by_"  # noqa: S105 (a prefix, not a secret)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], key_hash=_hash_token(token)
    )

    audit_record(
        action="api_token.create",
        actor=user,
        target=row,
        summary=f"{user.username} {row.prefix}…",
        details={"prefix": row.prefix},
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke a personal API token (idempotent), with its audit entry."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api_token.revoke",
            actor=actor,
            target=token,
            target_unit=None,
            summary=f"{token.user.username} {token.prefix}…",
            details={"prefix": token.prefix, "token_user_id": token.user_id},
        )
    return token


def api_token_authenticate(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


@transaction.atomic
def staff_upsert(
    *,
    username: str,
    password: str | None,
    full_name: str,
    rank: str = "",
    memberships: list[tuple[Unit, str]] = (),  # type: ignore[assignment]
    is_superuser: bool = False,
    reset_password: bool = True,
) -> User:
    """Create or update a staff account. With reset_password=False an existing account
    keeps its password; `password` is only set on an account created here."""
    user, created = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.rank = rank
    user.is_staff = is_superuser
    user.is_superuser = is_superuser
    if password is not None and (created or reset_password):
        user.set_password(password)
    user.save()
    for unit, role in memberships:
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return user


# --- the second factor (TOTP, django-otp) --------------------------------------------------------
# Enrol, verify, recovery codes, reset. Every outcome that matters is in the audit chain:
# enrolment, each verified or failed code, and an administrator's reset (with the reason).

DEVICE_NAME = "BinhYen"
RECOVERY_CODES = 10
REASON_MIN_CHARS = 10


class OtpError(Exception):
    """Refused; the message is shown to the person as is."""


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def enrolment_device(user: User) -> TOTPDevice:
    """The pending (unconfirmed) TOTP device being enrolled, created on first sight."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code (segno), for an authenticator app to scan."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out, kind="svg", scale=5, xmldecl=False, svgns=True, title="BinhYen 2FA"
    )
    return out.getvalue().decode()


def manual_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Mã khôi phục", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


# Not atomic: a wrong code must leave its throttle step (and its audit entry) behind.
def otp_enrol_confirm(*, request: HttpRequest, user: User, token: str) -> list[str]:
    """Confirm the pending device with a code from the app; returns the recovery codes
    (shown once). The session counts as verified from here."""
    device = enrolment_device(user)
    if not device.verify_token(_digits(token)):
        raise OtpError("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và thử lại.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        otp_login(request, device)
        audit_record(
            action=AuditAction.AUTH_OTP_ENROL,
            actor=user,
            target=user,
            summary=f"{user.get_username()} đăng ký xác thực hai lớp",
            details={"recovery_codes": len(codes)},
            request=request,
        )
    return codes


def _digits(token: str) -> str:
    return "".join(ch for ch in str(token or "") if not ch.isspace())[:16]


# Not atomic, for the same reason as otp_enrol_confirm.
def otp_verify(*, request: HttpRequest, user: User, token: str) -> None:
    """Check a TOTP code or a one-time recovery code for this session. Throttled per
    device by django-otp (each wrong code doubles the wait); audited either way."""
    token = _digits(token)
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if totp is None:
        raise OtpError("Tài khoản chưa đăng ký xác thực hai lớp.")
    device = None
    waits = []
    for candidate in (totp, recovery):
        if candidate is None:
            continue
        allowed, data = candidate.verify_is_allowed()
        if not allowed:
            waits.append(data)
            continue
        if candidate.verify_token(token):
            device = candidate
            break
    if device is None:
        audit_record(
            action=AuditAction.AUTH_OTP_FAILED,
            actor=None,
            target=user,
            summary=f"Nhập sai mã xác thực hai lớp của {user.get_username()}",
            details={"throttled": bool(waits)},
            request=request,
        )
        if waits and len(waits) == sum(1 for c in (totp, recovery) if c is not None):
            raise OtpError("Nhập sai quá nhiều lần. Vui lòng chờ một lát rồi thử lại.")
        raise OtpError("Mã xác thực không đúng.")
    otp_login(request, device)
    used_recovery = isinstance(device, StaticDevice)
    audit_record(
        action=AuditAction.AUTH_OTP_VERIFY,
        actor=user,
        target=user,
        summary=f"{user.get_username()} xác thực hai lớp"
        + (" bằng mã khôi phục" if used_recovery else ""),
        details={
            "method": "recovery_code" if used_recovery else "totp",
            "recovery_codes_left": device.token_set.count() if used_recovery else None,
        },
        request=request,
    )


@transaction.atomic
def otp_recovery_codes_renew(*, request: HttpRequest, user: User) -> list[str]:
    if not has_second_factor(user):
        raise OtpError("Tài khoản chưa đăng ký xác thực hai lớp.")
    codes = _new_recovery_codes(user)
    audit_record(
        action=AuditAction.AUTH_OTP_ENROL,
        actor=user,
        target=user,
        summary=f"{user.get_username()} tạo lại mã khôi phục",
        details={"recovery_codes": len(codes), "renewed": True},
        request=request,
    )
    return codes


@transaction.atomic
def otp_reset(
    *, user: User, actor: User | None, reason: str, request: HttpRequest | None = None
) -> int:
    """An administrator removes a user's second factor (a lost phone): the user enrols
    again at their next sign-in. Returns how many devices were removed. Audited."""
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN_CHARS:
        raise OtpError(f"Cần ghi rõ lý do (ít nhất {REASON_MIN_CHARS} ký tự).")
    removed = int(TOTPDevice.objects.filter(user=user).count())
    removed += int(StaticDevice.objects.filter(user=user).count())
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        action=AuditAction.AUTH_OTP_RESET,
        actor=actor,
        target=user,
        summary=f"Đặt lại xác thực hai lớp của {user.get_username()}",
        details={"reason": reason[:300], "devices_removed": removed},
        request=request,
    )
    return removed
