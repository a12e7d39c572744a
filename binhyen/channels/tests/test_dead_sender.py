"""A reply whose sender was killed mid-send (found by `make proof`: it stayed `sending` for
the sweep's 10 minutes) is settled at the next sweep when the dead sender ran on this host,
and never taken from a sender that is alive."""

from __future__ import annotations

import socket
import subprocess
import sys

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from binhyen.cases.models import Case, Message
from binhyen.channels import tasks
from binhyen.core.worker import this_worker_id, worker_is_gone
from binhyen.testing import post_zalo, secret_of, zalo_event


def _dead_worker_id() -> str:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return f"{socket.gethostname()}-{proc.stdout.strip()}"


def _claimed_send(world, client, drain, claimed_by: str) -> tuple[Message, DBTaskResult]:
    payload = zalo_event("user_send_text", page=world.bmt_page, user_id="3456789012345678901")
    assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200
    drain()
    case = Case.objects.get()
    message = Message.objects.create(
        conversation=case.conversation,
        case=case,
        direction=Message.Direction.OUT,
        text="Công an đã nhận tin",
        delivery=Message.Delivery.SENDING,
        attempts=1,
        next_attempt_at=timezone.now(),  # claimed just now
    )
    result = tasks.deliver_message.enqueue(message.pk)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.worker_ids = [claimed_by]
    row.save()
    return message, row


def test_worker_liveness():
    assert not worker_is_gone(this_worker_id())
    assert worker_is_gone(_dead_worker_id())
    assert not worker_is_gone("another-host-12345")  # cannot tell: not gone
    assert not worker_is_gone("drain")


def test_send_of_a_killed_sender_becomes_uncertain_at_the_next_sweep(world, client, drain):
    message, row = _claimed_send(world, client, drain, _dead_worker_id())
    assert tasks.sweep()["stuck"] == 1
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.delivery == Message.Delivery.UNCERTAIN  # settled from Zalo's history next
    assert row.status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.filter(
        task_path=tasks.zalo_outbound.RECONCILE, status=TaskResultStatus.READY
    ).exists()
    assert tasks.sweep()["stuck"] == 0  # the dead task is retired: taken once


def test_send_of_a_live_sender_is_left_alone(world, client, drain):
    message, row = _claimed_send(world, client, drain, this_worker_id())
    assert tasks.sweep()["stuck"] == 0
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.SENDING
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
