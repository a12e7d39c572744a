"""`binhyen vault rotate-keys` re-encrypts every encrypted column under the newest key."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, router

from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.channels.models import ChannelAccount, InboundEvent
from binhyen.lib import crypto
from binhyen.tips import services as tips
from binhyen.tips.models import Tip
from binhyen.vault.models import Identity
from binhyen.vault.rotation import encrypted_columns

OLD = crypto.generate_key()
NEW = crypto.generate_key()


def _raw(model, pk, column):
    alias = router.db_for_read(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def old_data(world, settings):
    pages = list(ChannelAccount.objects.all())  # read under the test suite's key…
    settings.VAULT_KEYS = [OLD]
    for page in pages:  # … and written under the old key, like everything below
        page.save()
    web = tips.web_form_connect(unit=world.province)
    tips.tip_submit(
        channel_account=web,
        report=tips.TipReport(text="đánh bạc", anonymous=False),
        identity={"phone": "0909000111"},
        hold_reasons=["honeypot"],
    )
    identity = Identity.objects.create(data={"name": "Người Cũ"})
    event = InboundEvent.objects.create(provider="zalo", key="k1", event_name="x", body='{"a":1}')
    return {"identity": identity, "event": event, "page": world.bmt_page}


def test_every_encrypted_field_is_found():
    found = {f"{m._meta.label_lower}.{f.name}" for m, f in encrypted_columns()}
    assert {
        "vault.identity.data",
        "channels.channelaccount.oa_secret_key",
        "channels.channelaccount.access_token",
        "channels.inboundevent.body",
        "tips.tip.held",
    } <= found


def test_rotation_reencrypts_everything_so_the_old_key_can_go(old_data, settings):
    settings.VAULT_KEYS = [NEW, OLD]
    call_command("vault", "rotate-keys", "--batch-size", "2")
    settings.VAULT_KEYS = [NEW]
    assert Identity.objects.get(pk=old_data["identity"].pk).data == {"name": "Người Cũ"}
    assert InboundEvent.objects.get(pk=old_data["event"].pk).body == '{"a":1}'
    assert ChannelAccount.objects.get(pk=old_data["page"].pk).oa_secret_key == "oa-secret-24133"
    assert Tip.objects.get().held["report"]["text"] == "đánh bạc"
    assert Tip.objects.get().held_identity.data == {"phone": "0909000111"}
    # The stored tokens really changed key: the old key alone opens none of them.
    settings.VAULT_KEYS = [OLD]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(_raw(Identity, old_data["identity"].pk, "data"))


def test_check_reports_values_left_under_older_keys(old_data, settings):
    settings.VAULT_KEYS = [NEW, OLD]
    with pytest.raises(CommandError) as exc:
        call_command("vault", "rotate-keys", "--check")
    assert exc.value.returncode == 1
    call_command("vault", "rotate-keys")
    call_command("vault", "rotate-keys", "--check")  # nothing left: no error


def test_rotation_is_idempotent_and_recorded(old_data, settings, capsys):
    settings.VAULT_KEYS = [NEW, OLD]
    call_command("vault", "rotate-keys")
    first = _raw(Identity, old_data["identity"].pk, "data")
    call_command("vault", "rotate-keys")
    assert _raw(Identity, old_data["identity"].pk, "data") == first
    entries = AuditEntry.objects.filter(action=AuditAction.VAULT_KEY_ROTATION).order_by("seq")
    assert entries.count() == 2
    assert entries.first().details["rotated"] > 0
    assert entries.last().details["rotated"] == 0


def test_a_value_no_configured_key_opens_is_reported(old_data, settings):
    settings.VAULT_KEYS = [NEW]  # the old key removed too early
    with pytest.raises(CommandError) as exc:
        call_command("vault", "rotate-keys")
    assert "cannot be decrypted" in str(exc.value)


def test_generate_key_prints_a_usable_key(capsys):
    call_command("vault", "generate-key")
    key = capsys.readouterr().out.strip()
    from cryptography.fernet import Fernet

    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
