"""`binhyen demo-history --weeks 12`: weeks of realistic past work in every unit, written through
the real services at the instants they would have happened, so every monitoring figure
comes from recorded timestamps exactly as in production.

Each unit gets a steady "working style" (how fast it acknowledges, classifies, answers and
decides), drawn once from a seeded random generator: some units are quick, a few let cases
wait, one or two let their page go quiet. Cases arrive by Zalo, the web form and the API, as
tips (every category and urgency), questions, feedback and chatter; tips are classified,
verified, some dispatched with people detained and items seized, and end with every outcome
(resolved with each result, handed over, referred out, merged as duplicates, some reopened);
questions are answered, citizens follow and unfollow pages and answer the satisfaction
question. What was still open at "now" stays open.

The clock is moved with time-machine (installed with the project's dev extras by
`make install`), the same tool the tests use. Work the history queues for the workers
(triage of old messages, deliveries to Zalo) is dropped at the end: that history happened.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from binhyen.accounts.models import Role, User
from binhyen.accounts.services import staff_upsert
from binhyen.cases import services
from binhyen.cases.models import Case, Category, Message, Outcome
from binhyen.cases.services import CaseError, IncomingMessage
from binhyen.channels.models import ChannelAccount, Provider
from binhyen.clocks.services import clocks_due_breaches
from binhyen.demo.world import DEMO_PASSWORD, load_demo
from binhyen.duty.models import Alert
from binhyen.monitoring.periods import current_week
from binhyen.monitoring.services import MonitoringError, satisfaction_record
from binhyen.tips.services import web_form_connect
from binhyen.units.models import Unit

HOUR = 3600.0
TIP_TEXTS = {
    Category.PUBLIC_ORDER: "Có nhóm thanh niên tụ tập gây ồn ào, cầm gậy gộc ở đầu hẻm",
    Category.THEFT_ROBBERY: "Nhà tôi vừa bị mất trộm xe máy trước cửa",
    Category.DRUGS: "Nghi có người bán ma túy ở quán nước cuối xóm",
    Category.GAMBLING: "Có sới bạc họp ở rẫy cà phê tối nào cũng đông",
    Category.FRAUD: "Có người gọi tự xưng công an yêu cầu chuyển tiền",
    Category.LOAN_SHARK: "Bị nhóm cho vay nặng lãi đến đòi nợ, đe dọa",
    Category.TRAFFIC: "Thanh niên đua xe, nẹt pô trên quốc lộ ban đêm",
    Category.FIRE_RESCUE: "Cháy nhà kho gần chợ, khói rất lớn",
    Category.DOMESTIC_CHILD: "Hàng xóm đánh vợ con, trẻ khóc rất lâu",
    Category.ENVIRONMENT: "Xe chở gỗ lậu đi qua đường rẫy lúc nửa đêm",
    Category.SUSPICIOUS: "Có người lạ đi xe không biển số dò xét nhà dân",
    Category.OTHER_CRIME: "Có người bán pháo nổ trên mạng giao hàng tận nơi",
}
CATEGORY_WEIGHTS = [14, 20, 9, 8, 12, 5, 12, 4, 5, 4, 5, 2]
QUESTIONS = [
    "Cho hỏi làm căn cước cho con cần giấy tờ gì?",
    "Đăng ký tạm trú online thế nào ạ?",
    "Xin hỏi thủ tục đăng ký xe máy mới mua",
    "Mất giấy phép lái xe thì làm lại ở đâu?",
]
FEEDBACK = ["Cảm ơn các anh công an xử lý nhanh vụ hôm trước", "Gọi số trực ban không ai nghe"]
OTHER = ["Chào ad", "ok cảm ơn", "Vay tiền nhanh lãi thấp liên hệ…"]
OUTCOMES = [
    (Outcome.ADMINISTRATIVE_HANDLED, 30),
    (Outcome.NOT_A_CRIME, 25),
    (Outcome.NO_GROUNDS, 15),
    (Outcome.PROSECUTION_PROPOSED, 15),
    (Outcome.NOT_OUR_JURISDICTION, 5),
]
ITEMS = ["dao", "gậy", "xe máy", "điện thoại", "ma túy (gói)", "tiền (triệu đồng)"]


@dataclass
class Style:
    """How a unit works: multipliers on delays, and how often it leaves things undone."""

    speed: float  # 1 = typical; 4 = four times slower
    sloppy: float  # chance a case is left unclassified / unanswered
    volume: float  # cases per week
    quiet_last_days: int  # the page stopped being used this many days before now


@dataclass
class Stats:
    cases: int = 0
    follows: int = 0
    surveys: int = 0
    weeks: int = 0
    units: int = 0


class _Clock:
    """Moves time for everything the services do."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        with time_machine.travel(moment, tick=False):
            yield


def _styles(units: list[Unit], rng: random.Random) -> dict[int, Style]:
    out = {}
    for unit in units:
        base = rng.lognormvariate(0, 0.6)
        volume = 4.0 if unit.kind == Unit.Kind.PROVINCE else rng.uniform(0.3, 1.5)
        out[unit.pk] = Style(
            speed=base, sloppy=min(0.5, 0.04 * base**2), volume=volume, quiet_last_days=0
        )
    # A few units let things slide, one page went quiet: the league table has work to show.
    communes = [u for u in units if u.kind == Unit.Kind.COMMUNE]
    for unit in rng.sample(communes, min(4, len(communes))):
        out[unit.pk].speed *= 5
        out[unit.pk].sloppy = 0.45
    for unit in rng.sample(communes, min(2, len(communes))):
        out[unit.pk].quiet_last_days = 9
    return out


def _officer(unit: Unit, cache: dict[int, User]) -> User:
    if unit.pk not in cache:
        member = User.objects.filter(memberships__unit=unit, is_active=True).first()
        cache[unit.pk] = member or staff_upsert(
            username=f"canbo.{unit.code.lower()}",
            password=DEMO_PASSWORD,
            full_name=f"Cán bộ {unit.name.replace('Công an ', '')}",
            rank="Thượng úy",
            memberships=[(unit, Role.OFFICER)],
        )
    return cache[unit.pk]


class Generator:
    def __init__(self, *, weeks: int, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.clock = _Clock(now)
        self.weeks = weeks
        self.officers: dict[int, User] = {}
        self.stats = Stats(weeks=weeks)
        self._ids = 0
        self.last_tip: dict[int, Case] = {}
        self.contact_keys: dict[int, str] = {}

    def _delay(self, mean_hours: float, style: Style) -> timedelta:
        return timedelta(seconds=self.rng.expovariate(1 / (mean_hours * HOUR * style.speed)))

    def _do(self, moment: datetime, fn: Callable[[], Any]) -> bool:
        """Run one service call at `moment`; False when that is still in the future."""
        if moment >= self.now:
            return False
        with self.clock.at(moment):
            try:
                fn()
            except (CaseError, MonitoringError):
                return False
        return True

    def run(self) -> Stats:
        load_demo()
        units = list(Unit.objects.filter(is_active=True).order_by("path"))
        self.stats.units = len(units)
        province = next(u for u in units if u.kind == Unit.Kind.PROVINCE)
        self.web = web_form_connect(unit=province)
        self.api, _ = ChannelAccount.objects.get_or_create(
            provider=Provider.API, unit=province, defaults={"name": "API Cổng dịch vụ công"}
        )
        pages = {
            a.unit_id: a
            for a in ChannelAccount.objects.filter(provider=Provider.ZALO, is_active=True)
        }
        for account in pages.values():
            if account.connected_at > self.now - timedelta(weeks=self.weeks + 1):
                ChannelAccount.objects.filter(pk=account.pk).update(
                    connected_at=self.now - timedelta(weeks=self.weeks + 1)
                )
        styles = _styles(units, self.rng)
        communes = [u for u in units if u.kind == Unit.Kind.COMMUNE]
        tasks_before = set(DBTaskResult.objects.values_list("id", flat=True))
        start = current_week(self.now).start - timedelta(weeks=self.weeks)
        for unit in units:
            page = pages.get(unit.pk)
            style = styles[unit.pk]
            quiet_from = self.now - timedelta(days=style.quiet_last_days)
            # One transaction per unit: SQLite commits are the slow part.
            with transaction.atomic():
                for w in range(self.weeks + 1):
                    week_start = start + timedelta(weeks=w)
                    for _ in range(self._poisson(style.volume)):
                        at = week_start + timedelta(seconds=self.rng.uniform(0, 7 * 24 * HOUR))
                        if at < min(self.now, quiet_from):
                            self._case(unit, page, style, at, communes)
                    if page is not None:
                        self._follows(page, week_start, min(self.now, quiet_from))
        self._settle(tasks_before)
        return self.stats

    def _poisson(self, lam: float) -> int:
        # Knuth's method: small means only.
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _follows(self, page: ChannelAccount, week_start: datetime, until: datetime) -> None:
        for following, lam in ((True, 1.5), (False, 0.4)):
            for _ in range(self._poisson(lam)):
                at = week_start + timedelta(seconds=self.rng.uniform(0, 7 * 24 * HOUR))
                who = f"fan-{page.unit_id}-{self.rng.randrange(60)}"
                if at < until and self._follow(page, who, following, at):
                    self.stats.follows += 1

    def _follow(self, page: ChannelAccount, who: str, following: bool, at: datetime) -> bool:
        return self._do(
            at,
            lambda: services.contact_set_follower(
                channel_account=page,
                contact_key=who,
                kind="zalo_user",
                following=following,
                at=at,
            ),
        )

    def _open(
        self, unit: Unit, page: ChannelAccount | None, at: datetime, text: str
    ) -> Case | None:
        roll = self.rng.random()
        self._ids += 1
        if page is not None and roll < 0.8:
            box: list[Message | None] = []
            key = f"citizen-{unit.pk}-{self._ids}"
            self._do(
                at,
                lambda: box.append(
                    services.message_receive(
                        incoming=IncomingMessage(
                            channel_account=page,
                            contact_key=key,
                            contact_kind="zalo_user",
                            provider_message_id=f"hist-{unit.pk}-{self._ids}",
                            kind="text",
                            text=text,
                            sent_at=at,
                        )
                    )
                ),
            )
            message = box[0] if box else None
            if message is None or message.case is None:
                return None
            self.contact_keys[message.case.pk] = key
            return message.case
        account = self.web if roll < 0.93 else self.api
        box2: list[Case] = []
        self._do(
            at,
            lambda: box2.append(
                services.case_open(
                    unit_id=unit.pk,
                    channel_account=account,
                    conversation=None,
                    contact=None,
                    summary=text,
                    at=at,
                    is_anonymous=self.rng.random() < 0.4,
                )
            ),
        )
        return box2[0] if box2 else None

    def _case(
        self,
        unit: Unit,
        page: ChannelAccount | None,
        style: Style,
        at: datetime,
        communes: list[Unit],
    ) -> None:
        rng = self.rng
        roll = rng.random()
        category: str
        if roll < 0.6:
            intent = "tip"
            picked = rng.choices(list(TIP_TEXTS), CATEGORY_WEIGHTS)[0]
            category, text = str(picked), TIP_TEXTS[picked]
        elif roll < 0.88:
            intent, category, text = "question", "", rng.choice(QUESTIONS)
        elif roll < 0.96:
            intent, category, text = "feedback", "", rng.choice(FEEDBACK)
        else:
            intent, category, text = "other", "", rng.choice(OTHER)
        case = self._open(unit, page, at, text)
        if case is None:
            return
        self.stats.cases += 1
        officer = _officer(unit, self.officers)
        t = at
        # The province's page often receives tips about a commune: routed there.
        if unit.kind == Unit.Kind.PROVINCE and communes and rng.random() < 0.5:
            target = rng.choice(communes)
            t += self._delay(0.5, style)
            if not self._do(
                t,
                lambda: services.case_transfer(
                    case=case, to_unit=target, actor=officer, reason="Địa bàn của đơn vị"
                ),
            ):
                return
            unit, officer = target, _officer(target, self.officers)
        if rng.random() < style.sloppy:
            return  # nobody picked it up
        t += self._delay({"tip": 0.4, "question": 3, "feedback": 6, "other": 2}[intent], style)
        urgency = rng.choices(["critical", "high", "normal"], [8, 22, 70])[0] if category else ""
        if not self._do(
            t,
            lambda: services.case_classify(
                case=case, actor=officer, intent=intent, category=category, urgency=urgency
            ),
        ):
            return
        case.refresh_from_db()
        if intent == "tip":
            self._tip(case, officer, style, t)
        elif intent in ("question", "feedback"):
            self._answer(case, officer, style, t)
        else:
            self._do(
                t + self._delay(1, style), lambda: services.case_close(case=case, actor=officer)
            )

    def _tip(self, case: Case, officer: User, style: Style, t: datetime) -> None:
        rng = self.rng
        previous = self.last_tip.get(case.unit_id)
        self.last_tip[case.unit_id] = case
        if previous is not None and previous.pk != case.pk and rng.random() < 0.06:
            previous.refresh_from_db()
            if previous.is_open:
                self._do(
                    t, lambda: services.case_merge(primary=previous, duplicate=case, actor=officer)
                )
                return
        if rng.random() < 0.07:
            self._do(
                t + self._delay(4, style),
                lambda: services.case_refer_out(
                    case=case, actor=officer, to="UBND xã", reason="Tranh chấp dân sự"
                ),
            )
            return
        if not self._do(t, lambda: services.case_start_verification(case=case, actor=officer)):
            return
        if case.urgency in ("critical", "high") and rng.random() < 0.6:
            box: list[Any] = []
            d = t + self._delay(0.2, style)
            if self._do(
                d,
                lambda: box.append(
                    services.dispatch_create(case=case, actor=officer, team="Tổ tuần tra 1", at=d)
                ),
            ):
                dispatch = box[0]
                for stage, mins in (("en_route", 3), ("on_scene", 15), ("cleared", 60)):
                    d += timedelta(minutes=mins * rng.uniform(0.5, 2))
                    self._mark(dispatch, officer, stage, d)
                if rng.random() < 0.5:
                    items = [{"name": rng.choice(ITEMS), "count": rng.randint(1, 5)}]
                    self._do(
                        d,
                        lambda: services.outcome_record(
                            case=case,
                            actor=officer,
                            people_detained=rng.randint(1, 6),
                            vehicles_seized=rng.randint(0, 3),
                            items_seized=items,
                        ),
                    )
        if rng.random() < style.sloppy:
            return  # left verifying: the resolution deadline will pass
        decide = t + timedelta(days=rng.uniform(0.5, 12) * style.speed)
        roll = rng.random()
        if roll < 0.1:
            done = self._do(
                decide,
                lambda: services.case_hand_over(
                    case=case, actor=officer, to="Cơ quan CSĐT", reason="Có dấu hiệu tội phạm"
                ),
            )
        else:
            outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
            done = self._do(
                decide, lambda: services.case_resolve(case=case, actor=officer, outcome=outcome)
            )
        if done:
            self._rate(case, decide)
            if rng.random() < 0.04:
                again = decide + timedelta(days=rng.uniform(1, 4))
                if self._do(
                    again,
                    lambda: services.case_reopen(
                        case=case, actor=officer, reason="Có thêm thông tin"
                    ),
                ):
                    self._do(
                        again + timedelta(days=rng.uniform(1, 5)),
                        lambda: services.case_resolve(
                            case=case, actor=officer, outcome=Outcome.ADMINISTRATIVE_HANDLED
                        ),
                    )

    def _mark(self, dispatch: Any, officer: User, stage: str, at: datetime) -> None:
        self._do(
            at,
            lambda: services.dispatch_mark(dispatch=dispatch, actor=officer, stage=stage, at=at),
        )

    def _answer(self, case: Case, officer: User, style: Style, t: datetime) -> None:
        if self.rng.random() < style.sloppy:
            return
        t += self._delay(2, style)
        if case.conversation_id is not None:
            self._do(
                t,
                lambda: services.case_reply(
                    case=case, author=officer, text="Cảm ơn bạn, chúng tôi trả lời như sau…"
                ),
            )
        t += timedelta(minutes=self.rng.uniform(1, 30))
        if case.intent == "feedback":
            self._do(t, lambda: services.case_acknowledge_feedback(case=case, actor=officer))
        if self._do(t, lambda: services.case_answer(case=case, actor=officer)):
            self._rate(case, t)

    def _rate(self, case: Case, ended: datetime) -> None:
        """About half the citizens answer the satisfaction question, within a day."""
        if self.rng.random() > 0.5:
            return
        at = ended + timedelta(hours=self.rng.uniform(0.2, 20))
        score = self.rng.choices([1, 2, 3, 4, 5], [5, 7, 15, 35, 38])[0]
        case.refresh_from_db()
        key = self.contact_keys.get(case.pk)
        if key is not None and case.channel_account is not None:
            self._ids += 1
            done = self._do(
                at,
                lambda: services.message_receive(
                    incoming=IncomingMessage(
                        channel_account=case.channel_account,  # type: ignore[arg-type]
                        contact_key=key,
                        contact_kind="zalo_user",
                        provider_message_id=f"hist-rate-{self._ids}",
                        kind="text",
                        text=str(score),
                        sent_at=at,
                    )
                ),
            )
        else:
            done = self._do(at, lambda: satisfaction_record(case=case, score=score, at=at))
        if done:
            self.stats.surveys += 1

    def _settle(self, tasks_before: set[Any]) -> None:
        """What the history queued for the workers happened long ago: deliveries are sent,
        old messages are not triaged again, alarms of the past do not ring now."""
        Message.objects.filter(direction="out", delivery__in=["queued", "sending"]).update(
            delivery="sent", next_attempt_at=None
        )
        DBTaskResult.objects.filter(status="READY").exclude(id__in=tasks_before).delete()
        Alert.objects.filter(escalate_at__lt=self.now).update(escalate_at=None)
        while clocks_due_breaches(self.now, limit=500):
            pass


def load_history(*, weeks: int, seed: int = 2026, now: datetime | None = None) -> Stats:
    return Generator(weeks=weeks, seed=seed, now=now or timezone.now()).run()
