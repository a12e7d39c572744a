"""The `binhyen` command line: load-demo, zalo connect, api-token create."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from binhyen import cli
from binhyen.accounts.models import Membership, User
from binhyen.channels.models import ChannelAccount
from binhyen.units.models import Area, FormerArea, Unit


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_builds_the_dak_lak_world_and_is_idempotent(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = run("load_demo")
    counts = (
        Unit.objects.count(),
        Area.objects.count(),
        FormerArea.objects.count(),
        ChannelAccount.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    run("load_demo")
    again = (
        Unit.objects.count(),
        Area.objects.count(),
        FormerArea.objects.count(),
        ChannelAccount.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts == again
    assert "canbo.bmt" in first and "binhyen2026" in first
    assert Unit.objects.get(code="66").kind == Unit.Kind.PROVINCE
    bmt = Unit.objects.get(code="24133")
    assert bmt.name == "Công an phường Buôn Ma Thuột"
    assert bmt.parent.code == "66"
    assert Unit.objects.filter(kind=Unit.Kind.COMMUNE).count() == 102
    assert Area.objects.filter(parent__code="66").count() == 102
    tan_loi = FormerArea.objects.get(name="Phường Tân Lợi")
    assert list(tan_loi.areas.values_list("code", flat=True)) == ["24133"]
    pages = json.loads((tmp_path / "simulator-pages.json").read_text())
    assert len(pages) == ChannelAccount.objects.filter(provider="zalo").count()


@pytest.mark.django_db
def test_zalo_connect_creates_then_updates_the_page(world):
    args = [
        "zalo",
        "connect",
        "--unit",
        "24133",
        "--oa-id",
        "777",
        "--app-id",
        "888",
        "--oa-secret-key",
        "s1",
        "--app-secret-key",
        "s2",
    ]
    assert "connected" in run(*args)
    page = ChannelAccount.objects.get(external_id="777")
    assert page.unit.code == "24133" and page.oa_secret_key == "s1"
    args[args.index("s1")] = "s1-new"
    assert "updated" in run(*args, "--access-token", "AT", "--refresh-token", "RT")
    page.refresh_from_db()
    assert page.oa_secret_key == "s1-new"
    assert page.access_token == "AT" and page.refresh_token == "RT"
    assert ChannelAccount.objects.filter(external_id="777").count() == 1


@pytest.mark.django_db
def test_zalo_connect_refuses_an_unknown_unit(world):
    with pytest.raises(CommandError):
        run(
            "zalo",
            "connect",
            "--unit",
            "nope",
            "--oa-id",
            "1",
            "--app-id",
            "2",
            "--oa-secret-key",
            "a",
            "--app-secret-key",
            "b",
        )


@pytest.mark.django_db
def test_page_secrets_are_encrypted_at_rest(world):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT oa_secret_key, access_token FROM channels_channelaccount")
        rows = cur.fetchall()
    assert rows
    for secret, token in rows:
        assert not secret.startswith("oa-secret-")
        assert not token.startswith("at-")


@pytest.mark.django_db
def test_api_token_create_prints_a_working_token_last(world, client):
    out = run("api_token", "create", "officer.bmt")
    token = out.split()[-1]
    resp = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 200


@pytest.mark.django_db
def test_api_token_for_unknown_user_fails(world):
    with pytest.raises(CommandError):
        run("api_token", "create", "nobody")


def test_cli_maps_hyphenated_commands(monkeypatch):

    seen = {}
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line",
        lambda argv: seen.setdefault("argv", argv),
    )
    cli.main(["binhyen", "load-demo"])
    assert seen["argv"] == ["binhyen", "load_demo"]
