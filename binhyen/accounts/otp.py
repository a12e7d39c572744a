"""Write paths of the second factor (TOTP, django-otp): enrol, verify, recovery codes, reset.

Every outcome that matters is in the audit chain: enrolment, each verified or failed code,
and an administrator's reset (with the reason).
"""

from __future__ import annotations

import io
from base64 import b32encode

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts.models import User
from binhyen.audit.models import AuditAction
from binhyen.audit.services import audit_record

DEVICE_NAME = "BinhYen"
RECOVERY_CODES = 10
REASON_MIN_CHARS = 10


class OtpError(Exception):
    """Refused; the message is shown to the person as is."""


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


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
    removed = TOTPDevice.objects.filter(user=user).count()
    removed += StaticDevice.objects.filter(user=user).count()
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
