"""Appending to the chain: linear, gap-free, joined to the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from binhyen.audit import chain
from binhyen.audit.models import AuditAction, AuditChainHead, AuditEntry
from binhyen.audit.services import AuditDetailsError, audit_record, audit_verify
from binhyen.audit.tests.helpers import append


def test_chain_verifies_after_many_appends(db):
    entries = append(120)
    result = audit_verify()
    assert result.ok, result.reason
    assert result.entries == 120
    assert [e.seq for e in AuditEntry.objects.order_by("seq")] == list(range(1, 121))
    assert (result.last_seq, result.last_hash) == (entries[-1].seq, entries[-1].hash)


def test_first_entry_links_to_the_fixed_genesis_hash(db):
    first = append(1)[0]
    assert first.seq == 1
    assert first.prev_hash == chain.GENESIS_HASH


def test_each_entry_links_to_the_previous_one(db):
    a, b = append(2)
    assert b.prev_hash == a.hash
    assert AuditChainHead.objects.get().hash == b.hash


def test_rolled_back_transaction_leaves_no_entry_and_no_gap(db):
    kept = append(1)[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=AuditAction.CASE_TRANSFER, actor=None, summary="sẽ bị hủy")
        raise RuntimeError("the transfer failed")
    after = append(1)[0]
    assert not AuditEntry.objects.filter(summary="sẽ bị hủy").exists()
    assert after.seq == kept.seq + 1
    assert after.prev_hash == kept.hash
    assert audit_verify().ok


def test_stored_entry_hashes_the_same_after_reading_back(db, world):
    entry = audit_record(
        action=AuditAction.CASE_EXPORT,
        actor=world.commander_bmt,
        target=world.tanan,
        summary="Xuất báo cáo tuần — phường Tân An",
        details={"rows": 12, "ratio": 0.25, "codes": ["TB-1", "TB-2"], "nested": {"b": 1, "a": 2}},
    )
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.hash == stored.compute_hash() == entry.hash


def test_actor_and_target_units_are_recorded_as_they_stand(db, world):
    entry = audit_record(
        action=AuditAction.CASE_TRANSFER, actor=world.commander_bmt, target=world.tanan
    )
    assert entry.actor_username == "commander.bmt"
    assert entry.actor_unit_path == world.bmt.path
    assert entry.target_type == "units.unit"
    assert entry.target_id == str(world.tanan.pk)
    assert entry.target_unit_path == world.tanan.path
    assert entry.summary == "Chuyển vụ việc"


def test_details_with_identity_keys_are_refused(db):
    with pytest.raises(AuditDetailsError):
        audit_record(
            action=AuditAction.IDENTITY_REVEAL,
            actor=None,
            details={"reason": "xác minh", "contact": {"phone": "0912345678"}},
        )
    assert not AuditEntry.objects.exists()


def test_unknown_action_code_is_refused(db):
    with pytest.raises(ValueError):
        audit_record(action="case.shred", actor=None)


def test_staff_ip_is_kept_for_staff_actions_only(db, world, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    staff = audit_record(action=AuditAction.CASE_EXPORT, actor=world.officer_bmt, request=request)
    system = audit_record(action=AuditAction.IDENTITY_ERASE, actor=None, request=request)
    assert staff.ip_address == "10.1.2.3"
    assert system.ip_address == ""
