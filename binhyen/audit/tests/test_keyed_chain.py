"""The chain is keyed (HMAC with a key kept outside the database) and anchored daily in a
separate append-only file and in the log: someone with write access to the database but
not the key can neither recompute the chain nor cut its end unnoticed."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import base
from django.utils import timezone

from binhyen.audit import chain
from binhyen.audit.models import AuditChainHead, AuditEntry
from binhyen.audit.services import audit_verify
from binhyen.audit.tests.helpers import append, guard_lifted, raw
from binhyen.audit.tests.test_command import run_cli


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # run_from_argv closes every connection when it ends; the test still needs its own.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)


@pytest.fixture
def anchors(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors" / "audit-anchors.log")
    return tmp_path / "anchors" / "audit-anchors.log"


def _has_key_column() -> bool:
    return "key_id" in {f.column for f in AuditEntry._meta.fields}


def recompute_from(seq: int, *, key: bytes | None = None) -> None:
    """Rewrite the chain from `seq` on as a forger with database access would: plain
    SHA-256 as the algorithm is public (or HMAC with a key they guessed), head included."""
    entries = list(AuditEntry.objects.order_by("seq"))
    prev = entries[seq - 2].hash if seq > 1 else chain.GENESIS_HASH
    with guard_lifted():
        for entry in entries[seq - 1 :]:
            entry.prev_hash = prev
            if key is None:
                if _has_key_column():
                    entry.key_id = None
                fields = {name: getattr(entry, name) for name in chain.HASHED_FIELDS}
                new = hashlib.sha256(chain.canonical_bytes(fields)).hexdigest()
            else:
                new = hmac.new(key, chain.canonical_bytes(entry.hashed_fields(), version=2),
                               hashlib.sha256).hexdigest()  # fmt: skip
            sets, params = "prev_hash = %s, hash = %s", [prev, new]
            if key is None and _has_key_column():
                sets += ", key_id = NULL"
            raw(f"UPDATE audit_auditentry SET {sets} WHERE seq = %s", [*params, entry.seq])  # noqa: S608
            prev = new
        raw("UPDATE audit_auditchainhead SET seq = %s, hash = %s", [entries[-1].seq, prev])


def test_entries_are_keyed_with_a_key_kept_outside_the_database(db):
    entry = append(1)[0]
    plain = hashlib.sha256(chain.canonical_bytes(entry.hashed_fields())).hexdigest()
    assert entry.hash != plain
    assert entry.key_id == chain.key_id(settings.AUDIT_KEYS[0].encode())


def test_chain_recomputed_without_the_key_fails_verification(db):
    append(10)
    with guard_lifted():
        raw("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["đã sửa", 6])
    recompute_from(6)
    result = audit_verify()
    assert not result.ok
    code, _out, err = run_cli("verify")
    assert code == 1 and "BROKEN" in err


def test_chain_recomputed_with_a_guessed_key_fails_verification_at_that_entry(db):
    append(10)
    with guard_lifted():
        raw("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["đã sửa", 6])
    recompute_from(6, key=b"a guess")
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 6)


def test_deletion_with_a_recomputed_chain_fails_verification(db):
    append(10)
    with guard_lifted():
        raw("DELETE FROM audit_auditentry WHERE seq = %s", [10])
        raw("DELETE FROM audit_auditentry WHERE seq = %s", [4])
        for seq in range(5, 10):
            raw("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [seq - 1, seq])
    recompute_from(4)
    assert not audit_verify().ok


def test_daily_head_is_written_to_an_append_only_file_and_to_the_log(db, anchors, caplog):
    from binhyen.audit.services import audit_anchor_daily

    append(3)
    with caplog.at_level(logging.INFO, logger="binhyen.audit.anchor"):
        assert audit_anchor_daily() is True
    head = AuditChainHead.objects.get()
    line = anchors.read_text().splitlines()[-1]
    assert f"{head.seq}:{head.hash}" in line
    assert f"{head.seq}:{head.hash}" in caplog.text
    assert audit_anchor_daily() is False  # once a day
    append(2)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert audit_anchor_daily() is True
    assert len(anchors.read_text().splitlines()) == 2


def test_cutting_the_end_of_the_log_after_an_anchor_is_detected(db, anchors):
    from binhyen.audit.services import audit_anchor_daily

    append(8)
    audit_anchor_daily()
    with guard_lifted():
        raw("DELETE FROM audit_auditentry WHERE seq > %s", [6])
        last = AuditEntry.objects.get(seq=6)
        raw("UPDATE audit_auditchainhead SET seq = %s, hash = %s", [6, last.hash])
    result = audit_verify()
    assert not result.ok and "anchor" in result.reason
    code, _out, err = run_cli("verify")
    assert code == 1 and "anchor" in err


def test_a_chain_rewritten_through_the_application_is_caught_by_the_anchor_file(db, anchors):
    from binhyen.audit.services import audit_anchor_daily

    append(5)
    audit_anchor_daily()
    with guard_lifted():
        raw("DELETE FROM audit_auditentry")
        raw("UPDATE audit_auditchainhead SET seq = 0, hash = %s", [chain.GENESIS_HASH])
    append(5, summary="lịch sử viết lại")
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 5)


def test_an_edited_anchor_line_is_detected(db, anchors):
    from binhyen.audit.services import audit_anchor_daily

    append(3)
    audit_anchor_daily()
    text = anchors.read_text()
    anchors.write_text(text.replace(" 3:", " 2:"))
    result = audit_verify()
    assert not result.ok and "anchor" in result.reason


def _legacy(n: int) -> None:
    """Entries as a version before the key wrote them (plain SHA-256, no key id)."""
    append(n)
    recompute_from(1)


def test_legacy_entries_are_sealed_by_a_keyed_entry_and_still_verify(db):
    from binhyen.audit.services import audit_chain_seal

    _legacy(4)
    assert not audit_verify().ok  # an unkeyed end: rewritten, or not sealed yet
    sealed = audit_chain_seal()
    assert sealed is not None and sealed.action == "audit.chain_keyed"
    assert sealed.details["legacy_head"].startswith("4:")
    assert audit_verify().ok
    append(2)
    assert audit_verify().ok
    assert audit_chain_seal() is None  # once


def test_an_unkeyed_entry_after_keyed_ones_fails_verification(db):
    append(3)
    with guard_lifted():
        last = AuditEntry.objects.get(seq=3)
        raw("UPDATE audit_auditentry SET key_id = NULL WHERE seq = %s", [3])
        fields = {name: getattr(last, name) for name in chain.HASHED_FIELDS}
        new = hashlib.sha256(chain.canonical_bytes(fields)).hexdigest()
        raw("UPDATE audit_auditentry SET hash = %s WHERE seq = %s", [new, 3])
        raw("UPDATE audit_auditchainhead SET hash = %s", [new])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_sealing_is_refused_when_anchors_show_the_log_was_keyed_before(db, anchors):
    from binhyen.audit.services import audit_anchor_daily

    append(4)
    audit_anchor_daily()
    recompute_from(1)  # the whole log rewritten in the old, unkeyed format
    assert not audit_verify().ok
    code, _out, err = run_cli("seal")
    assert code == 1 and "rewritten" in err
    assert AuditEntry.objects.count() == 4


def test_verify_checks_a_copy_of_the_anchor_file_kept_elsewhere(db, anchors, tmp_path):
    from binhyen.audit.services import audit_anchor_daily

    append(5)
    audit_anchor_daily()
    copy = tmp_path / "copy-on-another-machine.log"
    copy.write_text(anchors.read_text())
    anchors.unlink()  # the local file removed along with the end of the log
    with guard_lifted():
        raw("DELETE FROM audit_auditentry WHERE seq > %s", [3])
        last = AuditEntry.objects.get(seq=3)
        raw("UPDATE audit_auditchainhead SET seq = %s, hash = %s", [3, last.hash])
    assert run_cli("verify")[0] == 0  # nothing left to compare with locally…
    code, _out, err = run_cli("verify", "--anchors", str(copy))
    assert code == 1 and "entry 5" in err  # …but the copy remembers


def test_generated_audit_keys_are_long_and_random():
    first, second = run_cli("generate-key")[1].strip(), run_cli("generate-key")[1].strip()
    assert len(first) >= 32 and first != second
