"""In a worker's batch the ringing alerts of a case it opened are known without asking
(`duty.services._OPEN_ALERTS`): what it answers must be what the database holds, whatever
object of the case the batch's next moves come with."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from binhyen.cases.models import Case
from binhyen.duty import services as duty
from binhyen.duty.models import Alert
from binhyen.lib import memo, txbatch
from binhyen.testing import World, bare_case, selects_from


def _alert_reads(ctx: CaptureQueriesContext) -> int:
    return selects_from(ctx, "duty_alert")


def _ringing(case: Case) -> list[int]:
    return sorted(
        Alert.objects.filter(case=case, acknowledged_at__isnull=True).values_list("pk", flat=True)
    )


def test_alerts_of_a_case_opened_in_a_batch_are_known_and_right(world: World) -> None:
    at = timezone.now()
    with memo.batch(), txbatch.shared():
        case = bare_case(world.bmt, "Khẩn cấp: có người cầm dao", page=world.bmt_page, at=at)
        case.urgency = "critical"
        with CaptureQueriesContext(connection) as ctx:
            first = duty.alert_raise(case=case, at=at)
            again = duty.alert_raise(case=case, at=at)
        assert first is not None and again == first
        assert _alert_reads(ctx) == 0  # nothing asked: the batch made all of them
        assert _ringing(case) == [first.pk]

        # The case moves on: its alert stops, in the database too; a new one may ring.
        duty.alerts_stop(case=case, at=at)
        assert _ringing(case) == []
        second = duty.alert_raise(case=case, at=at)
        assert second is not None and second.pk != first.pk
        assert _ringing(case) == [second.pk]

        # Acknowledged through another object of the same case (read from the database):
        # the batch's knowledge follows, and the next alert is a new one.
        other = Case.objects.get(pk=case.pk)
        assert duty.case_alerts_acknowledge(case=other, actor=None, at=at) == 1
        assert _ringing(case) == []
        third = duty.alert_raise(case=case, at=at)
        assert third is not None and third.pk not in {first.pk, second.pk}
        assert duty.alert_raise(case=other, at=at) == third  # `other` sees it as well
        assert _ringing(case) == [third.pk]


def test_outside_a_batch_alerts_are_asked_for(world: World) -> None:
    at = timezone.now()
    case = bare_case(world.bmt, "Khẩn cấp: có người cầm dao", page=world.bmt_page, at=at)
    case.urgency = "critical"
    first = duty.alert_raise(case=case, at=at)
    with CaptureQueriesContext(connection) as ctx:
        assert duty.alert_raise(case=case, at=at) == first
    assert _alert_reads(ctx) == 1
