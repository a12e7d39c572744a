"""A small constructed history around ISO week 2026-W47 (Mon 16 – Sun 22 Nov 2026, Vietnam
time), built through the real services at controlled instants. The expected figures in the
tests were worked out by hand from the timeline written out here.

- A, BMT Zalo, Mon 16 06:00 (Sun 23:00 UTC!): tip, classified high 06:20 (ack 20 min);
  outcome 2 detained, 3 knives Wed 09:00; resolved "administrative" Wed 10:00; reopened
  Fri 09:00; resolved "prosecution" Mon 23 08:00 (W48).
- D, BMT Zalo, Tue 17 10:00: duplicate, merged into A Tue 11:00.
- E, province page, Wed 18 14:00: transferred to Tân An 16:00; Tân An claims 17:00 (ack
  1 h); never classified: the classify deadline Thu 14:00 passes.
- F, web form, opened at BMT Thu 19 09:00: question, marked answered Thu 11:00; rates 4
  on Fri 20 10:00 (status page).
- G, BMT Zalo, Thu 19 20:00: question, reply 21:00 (1 h), answered 21:05; the citizen
  answers "5" Fri 08:00.
- B, Tân An Zalo, Sun 22 23:50: question; classified and replied Mon 23 08:50 (W48; 9 h).
- C, BMT Zalo, Mon 23 00:10: W48 in Vietnam time, although Sun 22 17:10 UTC.

Followers of the BMT page: u1 follows Mon, u2 Tue, u2 again Wed (no change), u1 unfollows
Thu, u1 follows again Sat.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

import time_machine

from binhyen.cases import services
from binhyen.cases.models import Case, Outcome
from binhyen.cases.services import IncomingMessage
from binhyen.channels.models import ChannelAccount
from binhyen.lib.clocks import VN_TZ
from binhyen.monitoring.services import satisfaction_record
from binhyen.testing import World
from binhyen.tips.services import web_form_connect

_ids = itertools.count(1)


def vn(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


def receive(page: ChannelAccount, who: str, text: str, at: datetime) -> Case | None:
    with time_machine.travel(at, tick=False):
        message = services.message_receive(
            incoming=IncomingMessage(
                channel_account=page,
                contact_key=who,
                contact_kind="zalo_user",
                provider_message_id=f"m{next(_ids)}",
                kind="text",
                text=text,
                sent_at=at,
            )
        )
    assert message is not None
    return message.case


def at(moment: datetime):  # type: ignore[no-untyped-def]
    return time_machine.travel(moment, tick=False)


@dataclass
class History:
    a: Case
    b: Case
    c: Case
    d: Case
    e: Case
    f: Case
    g: Case
    web: ChannelAccount


def build(world: World) -> History:
    bmt_officer, tanan_officer = world.officer_bmt, world.officer_tanan

    a = receive(world.bmt_page, "uA", "Trộm xe máy ở chợ", vn(16, 6))
    assert a is not None
    with at(vn(16, 6, 20)):
        services.case_classify(
            case=a, actor=bmt_officer, intent="tip", category="theft_robbery", urgency="high"
        )
        services.case_start_verification(case=a, actor=bmt_officer)

    d = receive(world.bmt_page, "uD", "Có trộm xe ở chợ sáng nay", vn(17, 10))
    assert d is not None
    with at(vn(17, 11)):
        services.case_merge(primary=a, duplicate=d, actor=bmt_officer)

    with at(vn(18, 9)):
        services.outcome_record(
            case=a, actor=bmt_officer, people_detained=2, items_seized=[{"name": "dao", "count": 3}]
        )
    with at(vn(18, 10)):
        services.case_resolve(case=a, actor=bmt_officer, outcome=Outcome.ADMINISTRATIVE_HANDLED)

    e = receive(world.province_page, "uE", "Ở Tân An có người lạ", vn(18, 14))
    assert e is not None
    with at(vn(18, 16)):
        services.case_transfer(
            case=e, to_unit=world.tanan, actor=world.province_officer, reason="địa bàn Tân An"
        )
    with at(vn(18, 17)):
        services.case_claim(case=e, actor=tanan_officer)

    web = web_form_connect(unit=world.province)
    with at(vn(19, 9)):
        f = services.case_open(
            unit_id=world.bmt.pk,
            channel_account=web,
            conversation=None,
            contact=None,
            summary="Hỏi thủ tục tạm trú",
            at=vn(19, 9),
        )
        services.case_classify(case=f, actor=None, intent="question")
    with at(vn(19, 11)):
        services.case_answer(case=f, actor=bmt_officer)

    g = receive(world.bmt_page, "uG", "Cho hỏi làm căn cước ở đâu", vn(19, 20))
    assert g is not None
    with at(vn(19, 21)):
        services.case_reply(case=g, author=bmt_officer, text="Bạn đến công an phường nhé")
    with at(vn(19, 21, 5)):
        services.case_classify(case=g, actor=bmt_officer, intent="question")
        services.case_answer(case=g, actor=bmt_officer)

    claimed = receive(world.bmt_page, "uG", "5", vn(20, 8))
    assert claimed == g
    satisfaction_record(case=f, score=4, at=vn(20, 10))

    with at(vn(20, 9)):
        services.case_reopen(case=a, actor=bmt_officer, reason="có thêm người liên quan")

    b = receive(world.tanan_page, "uB", "Xin hỏi đăng ký tạm trú", vn(22, 23, 50))
    c = receive(world.bmt_page, "uC", "Đánh nhau ở quán", vn(23, 0, 10))
    assert b is not None and c is not None

    with at(vn(23, 8)):
        services.case_resolve(case=a, actor=bmt_officer, outcome=Outcome.PROSECUTION_PROPOSED)
    with at(vn(23, 8, 50)):
        services.case_classify(case=b, actor=tanan_officer, intent="question")
        services.case_reply(case=b, author=tanan_officer, text="Bạn mang căn cước đến nhé")

    for who, following, moment in [
        ("u1", True, vn(16, 8)),
        ("u2", True, vn(17, 8)),
        ("u2", True, vn(18, 8)),
        ("u1", False, vn(19, 8)),
        ("u1", True, vn(21, 8)),
    ]:
        with at(moment):
            services.contact_set_follower(
                channel_account=world.bmt_page,
                contact_key=who,
                kind="zalo_user",
                following=following,
                at=moment,
            )
    for case in (a, b, c, d, e, f, g):
        case.refresh_from_db()
    return History(a=a, b=b, c=c, d=d, e=e, f=f, g=g, web=web)
