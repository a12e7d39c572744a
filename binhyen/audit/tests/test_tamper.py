"""Tampering: the application cannot edit or delete entries; what gets past the guard
breaks the chain, and verification finds the first broken entry."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from binhyen.audit import chain
from binhyen.audit.models import AuditAction, AuditChainHead, AuditEntry, AuditLogImmutable
from binhyen.audit.services import audit_verify
from binhyen.audit.tests.helpers import append, guard_lifted, raw, raw_insert


def test_editing_one_summary_behind_the_application_is_detected_at_that_row(db):
    append(10)
    with guard_lifted():
        raw("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["đã sửa", 6])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 6
    assert result.last_seq == 5
    assert "edited" in result.reason


def test_deleting_a_row_is_detected(db):
    append(10)
    with guard_lifted():
        raw("DELETE FROM audit_auditentry WHERE seq = %s", [4])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 5


def test_deleting_the_last_rows_is_detected(db):
    append(10)
    with guard_lifted():
        raw("DELETE FROM audit_auditentry WHERE seq > %s", [8])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 9


def test_inserting_a_forged_row_is_detected(db):
    last = append(5)[-1]
    forged = AuditEntry(
        seq=6,
        at=last.at,
        action=AuditAction.AUTH_LOGIN,
        actor_username="ke.gia.mao",
        summary="đăng nhập giả",
        details={},
        prev_hash=last.hash,
    )
    # Even with a correctly computed hash: the chain head does not know about it.
    forged.hash = forged.compute_hash()
    raw_insert(forged)
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 6


def test_inserting_a_row_with_a_made_up_hash_is_detected_at_that_row(db):
    entries = append(5)
    forged = AuditEntry(
        seq=6,
        at=entries[-1].at,
        action=AuditAction.AUTH_LOGIN,
        summary="đăng nhập giả",
        details={},
        prev_hash=entries[-1].hash,
        hash="f" * 64,
    )
    raw_insert(forged)
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 6)


def test_rewritten_chain_is_detected_against_an_external_anchor(db):
    append(5)
    anchor = audit_verify()
    assert anchor.ok
    with guard_lifted():
        raw("DELETE FROM audit_auditentry")
        raw("UPDATE audit_auditchainhead SET seq = 0, hash = %s", [chain.GENESIS_HASH])
    append(5, summary="lịch sử viết lại")
    assert audit_verify().ok  # internally consistent…
    result = audit_verify(anchor=(anchor.last_seq, anchor.last_hash))
    assert not result.ok  # …but not the chain that was anchored
    assert result.broken_seq == 5


def test_orm_refuses_to_save_a_changed_entry(db):
    entry = append(1)[0]
    entry.summary = "đã sửa"
    with pytest.raises(AuditLogImmutable):
        entry.save()


def test_orm_refuses_to_delete_an_entry(db):
    entry = append(1)[0]
    with pytest.raises(AuditLogImmutable):
        entry.delete()


def test_queryset_update_is_refused(db):
    append(2)
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(seq=1).update(summary="đã sửa")


def test_queryset_delete_is_refused(db):
    append(2)
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()


def test_hand_made_entries_are_refused(db):
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.create(seq=1, action=AuditAction.AUTH_LOGIN, prev_hash="x", hash="y")


def test_database_refuses_raw_update(db):
    append(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditentry SET summary = %s WHERE seq = %s", ["đã sửa", 1])
    assert AuditEntry.objects.get(seq=1).summary != "đã sửa"


def test_database_refuses_raw_delete(db):
    append(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 2


def test_missing_chain_head_is_rebuilt_from_the_last_entry(db):
    last = append(3)[-1]
    raw("DELETE FROM audit_auditchainhead")
    nxt = append(1)[0]
    assert nxt.seq == last.seq + 1 and nxt.prev_hash == last.hash
    assert AuditChainHead.objects.get().seq == nxt.seq
