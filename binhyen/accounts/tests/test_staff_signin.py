"""Finding 6: staff sign-in fit for a police system — lockout and throttling, a strong
password policy, session limits, a second factor (TOTP) — and a production
configuration that `check --deploy` finds nothing wrong with."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhyen.accounts.models import Role, User
from binhyen.accounts.services import staff_upsert
from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.live.auth import audience_for_session
from binhyen.testing import PASSWORD

LOGIN = "/dang-nhap/"


def _post_login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- lockout and throttling (django-axes) -------------------------------------------------------


def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(world, client):
    statuses = [_post_login(client, "officer.bmt", "sai-mat-khau").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    resp = _post_login(client, "officer.bmt", PASSWORD)
    assert resp.status_code == 429
    text = resp.content.decode()
    assert "Tạm khóa đăng nhập" in text and "15 phút" in text
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.AUTH_LOCKED_OUT).exists()


def test_a_locked_account_stays_locked_from_another_source(world, client):
    for _ in range(5):
        _post_login(client, "officer.bmt", "sai-mat-khau", ip="10.0.0.1")
    assert _post_login(client, "officer.bmt", PASSWORD, ip="10.0.0.99").status_code == 429


def test_one_source_guessing_many_accounts_is_locked_out(world, client):
    for name in ("duty", "officer.tanan", "commander.bmt", "province.officer", "x"):
        _post_login(client, name, "sai-mat-khau", ip="10.0.0.7")
    assert _post_login(client, "officer.bmt", PASSWORD, ip="10.0.0.7").status_code == 429
    # Another officer at another address signs in normally.
    assert _post_login(Client(), "officer.bmt", PASSWORD, ip="10.0.0.8").status_code == 302


def test_the_lockout_ends_after_the_cool_off(world, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _post_login(client, "officer.bmt", "sai-mat-khau")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert _post_login(client, "officer.bmt", PASSWORD).status_code == 302


# --- password policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    ["20262026", "202620262026", "binhyen2026", "Password2026", "qwertyuiop12", "officer.bmt2026"],
)
def test_weak_police_passwords_are_refused(world, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=world.officer_bmt)


def test_a_long_passphrase_is_accepted(world):
    validate_password("Trực ban đêm nay mưa to ở Ea Kao", user=world.officer_bmt)


def test_password_change_page_applies_the_policy(world, client):
    assert client.login(username="officer.bmt", password=PASSWORD)
    resp = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "20262026", "new_password2": "20262026"},
    )
    assert resp.status_code == 200
    world.officer_bmt.refresh_from_db()
    assert world.officer_bmt.check_password(PASSWORD)


# --- session limits -----------------------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes(world, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.login(username="officer.bmt", password=PASSWORD)
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get("/tin-bao/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/tin-bao/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        resp = client.get("/tin-bao/")
        assert resp.status_code == 302 and resp["Location"].startswith(LOGIN)
        assert client.get("/tin-bao/").status_code == 302


def test_a_session_ends_12_hours_after_sign_in_even_when_active(world, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.login(username="officer.bmt", password=PASSWORD)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/tin-bao/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert client.get("/tin-bao/").status_code == 302


def test_a_password_change_ends_every_other_session(world, client):
    other = Client()
    assert other.login(username="officer.bmt", password=PASSWORD)
    key = other.session.session_key
    assert client.login(username="officer.bmt", password=PASSWORD)
    new = "Trực ban đêm nay mưa to ở Ea Kao"
    resp = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert resp.status_code == 302
    assert client.get("/tin-bao/").status_code == 200  # the one that changed it stays
    assert other.get("/tin-bao/").status_code == 302
    assert audience_for_session(key) is None  # and its live stream ends


def test_disabling_an_account_ends_its_sessions(world, client):
    assert client.login(username="officer.bmt", password=PASSWORD)
    key = client.session.session_key
    assert audience_for_session(key) is not None
    User.objects.filter(pk=world.officer_bmt.pk).update(is_active=False)
    assert client.get("/tin-bao/").status_code == 302
    assert audience_for_session(key) is None


# --- the second factor --------------------------------------------------------------------------


def _at(device: TOTPDevice, t: float) -> int:
    """The code the phone shows `t` seconds after the device's epoch."""
    gen = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    gen.time = t + device.t0
    return gen.token()


def _code(device: TOTPDevice) -> str:
    return f"{_at(device, time.time() - device.t0):06d}"


def _enrol(client: Client) -> list[str]:
    page = client.get("/tai-khoan/xac-thuc/dang-ky/")
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code
    device = TOTPDevice.objects.get(confirmed=False)
    resp = client.post("/tai-khoan/xac-thuc/dang-ky/", {"code": _code(device)})
    assert resp.status_code == 200
    return re.findall(r"<code>([a-z2-7]{8})</code>", resp.content.decode())


def test_staff_sign_in_without_the_second_factor_is_refused_in_production(world, client, settings):
    settings.REQUIRE_2FA = True
    resp = _post_login(client, "officer.bmt", PASSWORD)
    assert resp.status_code == 302  # the password step is done…
    key = client.session.session_key
    for url in ("/tin-bao/", "/nhat-ky/", "/truc-ban/", "/tin-giu-lai/", "/quan-tri/"):
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith("/tai-khoan/xac-thuc/"), url
    assert audience_for_session(key) is None  # …and the live stream refuses it too


def test_enrolment_by_qr_code_then_signing_in_with_a_code(world, client, settings):
    settings.REQUIRE_2FA = True
    _post_login(client, "officer.bmt", PASSWORD)
    assert client.get("/tin-bao/")["Location"].startswith("/tai-khoan/xac-thuc/")
    codes = _enrol(client)
    assert len(codes) == 10
    assert client.get("/tin-bao/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.AUTH_OTP_ENROL).count() == 1
    # Next sign-in: password, then a code.
    client.post("/dang-xuat/")
    second = Client()
    _post_login(second, "officer.bmt", PASSWORD)
    assert second.get("/tin-bao/").status_code == 302
    wrong = second.post("/tai-khoan/xac-thuc/", {"code": "000000"})
    assert "Mã xác thực không đúng" in wrong.content.decode()
    device = TOTPDevice.objects.get(confirmed=True)
    device.throttle_reset()
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        ok = second.post("/tai-khoan/xac-thuc/", {"code": _code(device)})
        assert ok.status_code == 302
        assert second.get("/tin-bao/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.AUTH_OTP_FAILED).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.AUTH_OTP_VERIFY).count() == 1


def test_a_recovery_code_works_once(world, client, settings):
    settings.REQUIRE_2FA = True
    _post_login(client, "officer.bmt", PASSWORD)
    codes = _enrol(client)
    for attempt in range(2):
        c = Client()
        _post_login(c, "officer.bmt", PASSWORD)
        resp = c.post("/tai-khoan/xac-thuc/", {"code": codes[0]})
        if attempt == 0:
            assert resp.status_code == 302 and c.get("/tin-bao/").status_code == 200
        else:
            assert resp.status_code == 200 and c.get("/tin-bao/").status_code == 302


def test_an_administrator_resets_a_lost_second_factor_with_an_audit_entry(world, client, settings):
    settings.REQUIRE_2FA = True
    _post_login(client, "officer.bmt", PASSWORD)
    _enrol(client)
    admin = staff_upsert(
        username="admin.bmt",
        password=PASSWORD,
        full_name="Admin BMT",
        memberships=[(world.bmt, Role.ADMIN)],
    )
    User.objects.filter(pk=admin.pk).update(is_staff=True)
    settings.REQUIRE_2FA = False  # (the administrator's own second factor is not the point)
    staff = Client()
    assert staff.login(username="admin.bmt", password=PASSWORD)
    resp = staff.post(
        "/quan-tri/accounts/user/",
        {
            "action": "reset_second_factor",
            "_selected_action": [world.officer_bmt.pk],
            "confirm": "yes",
            "reason": "Mất điện thoại khi đi công tác",
        },
    )
    assert resp.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.officer_bmt).exists()
    entry = AuditEntry.objects.get(action=AuditAction.AUTH_OTP_RESET)
    assert entry.actor_id == admin.pk and entry.target_id == str(world.officer_bmt.pk)
    assert entry.details["reason"] == "Mất điện thoại khi đi công tác"


def test_the_second_factor_is_throttled(world, client, settings):
    settings.REQUIRE_2FA = True
    _post_login(client, "officer.bmt", PASSWORD)
    _enrol(client)
    c = Client()
    _post_login(c, "officer.bmt", PASSWORD)
    c.post("/tai-khoan/xac-thuc/", {"code": "000000"})
    c.post("/tai-khoan/xac-thuc/", {"code": "111111"})
    device = TOTPDevice.objects.get(confirmed=True)
    # Even the right code is refused while the device is throttled.
    resp = c.post("/tai-khoan/xac-thuc/", {"code": _code(device)})
    assert resp.status_code == 200 and c.get("/tin-bao/").status_code == 302


# --- production headers and check --deploy -------------------------------------------------------


def _production_env(tmp_path) -> dict[str, str]:
    env = {
        **os.environ,
        "BINHYEN_ENV": "production",
        "BINHYEN_SECRET_KEY": "k" * 30 + "-Zq8!x@#%^&*()_+=7Yp2Lw9Vb4Nc6Mx1Rt3",
        "BINHYEN_VAULT_KEYS": "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=",
        "BINHYEN_AUDIT_KEYS": "test-audit-key-0123456789abcdef0123456789abcdef",
        "BINHYEN_ALLOWED_HOSTS": "binhyen.congan.example",
        "BINHYEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.mark.slow  # starts a process
def test_check_deploy_reports_nothing_in_production_settings(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "binhyen.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues (0 silenced)." in proc.stdout


@pytest.mark.slow  # starts a process
def test_production_refuses_to_start_with_the_second_factor_switched_off(tmp_path):
    env = {**_production_env(tmp_path), "BINHYEN_REQUIRE_2FA": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "binhyen.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "BINHYEN_REQUIRE_2FA" in proc.stderr


def test_pages_carry_a_content_security_policy_without_inline_script(world, client):
    assert client.login(username="officer.bmt", password=PASSWORD)
    for url in ("/tin-bao/", "/tai-khoan/", "/dang-nhap/", "/bao-tin/"):
        resp = client.get(url, follow=False)
        policy = resp.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        html = resp.content.decode()
        inline = [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
        assert inline == [], (url, inline)
        assert not re.search(r"\son[a-z]+\s*=", html), url
