"""Appends from several workers at once keep one linear chain (real threads, real commits)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from binhyen.audit.models import AuditAction, AuditEntry
from binhyen.audit.services import audit_record, audit_verify

THREADS = 4
PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_four_threads_keep_a_valid_chain():
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    # Work inside the caller's transaction, as services do.
                    audit_record(
                        action=AuditAction.CASE_VIEW_SENSITIVE,
                        actor=None,
                        summary=f"luồng {n} lần {i}",
                    )
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    result = audit_verify()
    assert result.ok, result.reason
    assert result.entries == THREADS * PER_THREAD
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
