"""Plain factories for clock tests: a case opened through the real service."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from binhyen.cases.models import Case, CaseEvent
from binhyen.cases.services import IncomingMessage, case_open, message_receive
from binhyen.clocks.models import CaseClock
from binhyen.lib.clocks import VN_TZ
from binhyen.testing import World

# Monday 2 March 2026, 09:00 in Vietnam: an ordinary working morning.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


def midnight_after(day: str) -> datetime:
    """24:00 of `day` in Vietnam time."""
    return datetime.combine(
        date.fromisoformat(day) + timedelta(days=1), datetime.min.time(), tzinfo=VN_TZ
    )


def _without_clocks(case: Case) -> Case:
    """The case as if the workflow had started no clock: these tests start their own."""
    CaseClock.objects.filter(case=case).delete()
    CaseEvent.objects.filter(case=case, kind__startswith="clock_").delete()
    return case


def open_case(world: World, at: datetime = T0) -> Case:
    return _without_clocks(
        case_open(
            unit_id=world.bmt.pk,
            channel_account=world.bmt_page,
            conversation=None,
            contact=None,
            summary="Trộm xe máy trước chợ",
            at=at,
        )
    )


def open_zalo_case(world: World, at: datetime = T0) -> Case:
    message = message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="3456789012345678901",
            contact_kind="zalo_user",
            provider_message_id="msg-clock-1",
            kind="text",
            text="Có nhóm thanh niên tụ tập mang hung khí",
            sent_at=at,
        )
    )
    assert message is not None and message.case is not None
    return _without_clocks(message.case)


def clock_of(case: Case, family: str) -> CaseClock:
    return CaseClock.objects.get(case=case, family=family, state__in=CaseClock.OPEN_STATES)
