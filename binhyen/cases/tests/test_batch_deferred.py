"""Rows deferred by a worker's shared transaction that other deferred rows name by id
(`txbatch.defer(first=True)`, `txbatch.after_written`): written first, whichever table a
flush is for, and named once they have their ids; nothing is written when the batch fails."""

from __future__ import annotations

import pytest
from django.db import transaction

from binhyen.cases.models import Case, CaseEvent, Message
from binhyen.cases.services.common import outbound_queue, timeline_record
from binhyen.lib import txbatch
from binhyen.testing import citizen_says


@pytest.fixture
def case(world):
    return citizen_says(world.bmt_page, "có trộm", message_id="d1")


def _queue(case: Case) -> tuple[Message, CaseEvent]:
    message = outbound_queue(
        conversation=case.conversation, case=case, text="cảm ơn", author_label="x", deferrable=True
    )
    row = timeline_record(case=case, kind="notice", text="t", data={"message": message.pk})
    if message.pk is None:
        txbatch.after_written(Message, lambda: row.data.__setitem__("message", message.pk))
    return message, row


def test_a_deferred_message_is_written_before_the_rows_that_name_it(world, case):
    from django_tasks_db.models import DBTaskResult

    before = Message.objects.filter(direction="out").count()
    with transaction.atomic(), txbatch.shared():
        message, row = _queue(case)
        assert message.pk is None  # not written yet
        # A query of the timeline writes the timeline; the message it names comes first.
        assert CaseEvent.objects.filter(pk=-1).count() == 0
        assert message.pk is not None and row.data["message"] == message.pk
        second, second_row = _queue(case)
        assert second.pk is None
    assert second.pk is not None
    assert CaseEvent.objects.get(pk=second_row.pk).data["message"] == second.pk
    assert Message.objects.filter(direction="out").count() == before + 2
    args = [
        t.args_kwargs["args"]
        for t in DBTaskResult.objects.filter(task_path__endswith="deliver_message")
    ]
    assert args.count([message.pk]) == 1 and args.count([second.pk]) == 1


def test_a_read_of_messages_sees_the_deferred_ones(world, case):
    with transaction.atomic(), txbatch.shared():
        message, _row = _queue(case)
        assert Message.objects.filter(case=case, direction="out", text="cảm ơn").exists()
        assert message.pk is not None


def test_a_failed_batch_writes_none_of_them(world, case):
    before = (Message.objects.count(), CaseEvent.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic(), txbatch.shared():
        _queue(case)
        raise RuntimeError("the batch fails")
    assert (Message.objects.count(), CaseEvent.objects.count()) == before


def test_outside_a_batch_the_message_is_written_at_once(world, case):
    message, row = _queue(case)
    assert message.pk is not None and row.data["message"] == message.pk
