"""Work held by a worker killed with SIGKILL (found by `make proof`): a task it was running
stayed RUNNING in django-tasks-db for ever (the case's triage, and so its acknowledgement,
never came) and a reply it was sending stayed `sending` for the sweep's 10 minutes. The
periodic job runs such a task again, or, for a send, makes the message uncertain at once
(settled from Zalo's history before any resend); work of a live worker is left alone."""

from __future__ import annotations

import socket
import subprocess
import sys

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from binhyen.cases.models import Case, Message
from binhyen.channels import tasks
from binhyen.core.worker import tasks_orphaned_requeue, this_worker_id, worker_is_gone
from binhyen.testing import post_zalo, secret_of, zalo_event
from binhyen.triage.models import Suggestion
from binhyen.triage.tasks import triage_case


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


def test_send_of_a_killed_sender_becomes_uncertain_at_once(world, client, drain):
    message, row = _claimed_send(world, client, drain, _dead_worker_id())
    assert tasks_orphaned_requeue() == 1
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.delivery == Message.Delivery.UNCERTAIN  # settled from Zalo's history next
    assert row.status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.filter(
        task_path=tasks.zalo_outbound.RECONCILE, status=TaskResultStatus.READY
    ).exists()
    assert tasks_orphaned_requeue() == 0  # the dead task is retired: taken once
    assert tasks.sweep()["stuck"] == 0


def test_send_of_a_live_sender_is_left_alone(world, client, drain):
    message, row = _claimed_send(world, client, drain, this_worker_id())
    assert tasks_orphaned_requeue() == 0
    assert tasks.sweep()["stuck"] == 0
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.SENDING
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_triage_held_by_a_killed_worker_runs_again(world, client, drain):
    payload = zalo_event("user_send_text", page=world.bmt_page, text="Có trộm xe máy ở chợ")
    assert post_zalo(client, payload, secret=secret_of(world.bmt_page)).status_code == 200
    drain()
    case = Case.objects.get()
    Suggestion.objects.filter(case=case).delete()
    result = triage_case.enqueue(case.pk, case.messages.get(direction="in").pk)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.worker_ids = [_dead_worker_id()]
    row.save()
    drain()
    assert not Suggestion.objects.filter(case=case).exists()  # held: nobody runs it
    assert tasks_orphaned_requeue() == 1
    drain()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert Suggestion.objects.filter(case=case).exists()


def test_own_rows_are_orphans_for_a_worker_between_tasks(world, client, drain):
    """The database went away while the sender recorded a result: its row stays RUNNING
    under its own id; the worker takes it back on its next pass (run(): own=its id)."""
    message, row = _claimed_send(world, client, drain, this_worker_id())
    assert tasks_orphaned_requeue() == 0  # alive, and maybe busy: not ours to take
    assert tasks_orphaned_requeue(own=this_worker_id()) == 1
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.delivery == Message.Delivery.UNCERTAIN
    assert row.status == TaskResultStatus.FAILED
