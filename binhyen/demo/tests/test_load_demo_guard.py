"""Finding 11: `load-demo` creates well-known logins and guessable page secrets, so it must
never run against a production database, and never reset a password someone has set."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from binhyen.accounts.models import User
from binhyen.channels.models import ChannelAccount
from binhyen.demo import world as demo


@pytest.mark.django_db
def test_load_demo_refuses_to_run_in_production_and_creates_nothing(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ENVIRONMENT = "production"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="BINHYEN_ENV=production"):
        call_command("load_demo", stdout=out, stderr=err)
    assert not User.objects.filter(username="admin").exists()
    assert ChannelAccount.objects.count() == 0
    assert demo.DEMO_PASSWORD not in out.getvalue()


@pytest.mark.django_db
def test_load_demo_function_refuses_in_production_too(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ENVIRONMENT = "production"
    with pytest.raises(demo.DemoRefused):
        demo.load_demo()
    assert not User.objects.exists()


@pytest.mark.slow  # starts a process
def test_load_demo_exits_non_zero_from_the_command_line_in_production(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "BINHYEN_ENV": "production",
        "BINHYEN_SECRET_KEY": "x" * 60,
        "BINHYEN_VAULT_KEYS": "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=",
        "BINHYEN_AUDIT_KEYS": "test-audit-key-0123456789abcdef0123456789abcdef",
        "BINHYEN_ALLOWED_HOSTS": "police.example",
        "BINHYEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "binhyen.cli", "load-demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "load-demo" in proc.stderr and "production" in proc.stderr
    assert demo.DEMO_PASSWORD not in proc.stdout + proc.stderr


@pytest.mark.django_db
def test_load_demo_never_resets_an_existing_password(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    admin = User.objects.create_user(username="admin", password="a-long-private-passphrase-42")
    officer = User.objects.create_user(username="canbo.bmt", password="another-private-one-77")
    call_command("load_demo", stdout=io.StringIO())
    admin.refresh_from_db()
    officer.refresh_from_db()
    assert admin.check_password("a-long-private-passphrase-42")
    assert not admin.check_password(demo.DEMO_PASSWORD)
    assert officer.check_password("another-private-one-77")
    # New demo accounts still get the printed demo password.
    assert User.objects.get(username="trucban").check_password(demo.DEMO_PASSWORD)
