"""Every monitoring figure, computed from recorded timestamps, per unit and rolled up the tree.

Each figure is a set of cases defined once (`figure_cases`): the table counts it with one
GROUP BY over all units, the drill-down lists the same set for one unit's subtree. What each
figure means, precisely, is in docs/monitoring.md ("KPI definitions"); the short version:

- *received* counts cases opened in the period, for the unit whose page received them
  (before any transfer); everything about *handling* (acknowledgement, answers, clocks, open,
  overdue, decisions, outcomes) belongs to the unit responsible for the case now;
- a period is [start, end) in Vietnam time; "at the end" means the instant `end` (or now,
  for a period not over yet);
- medians and 90th percentiles are nearest-rank over the cohort, counting cases still
  waiting as "not yet" (longer than any answer): when more than half still wait, the median
  is "not yet" too.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from binhyen.cases.models import Case, CaseEvent, CaseOutcome, Intent, Status
from binhyen.clocks.models import CaseClock
from binhyen.monitoring.models import FollowEvent, SatisfactionSurvey
from binhyen.monitoring.periods import Period
from binhyen.units.models import Unit

# Timeline kinds that end a case, and those that reopen it (cases/services/workflow.py, merge.py).
DECISION_KINDS = {
    "status:resolve": "resolved",
    "status:hand_over": "handed_over",
    "status:refer_out": "transferred",
    "status:answer": "answered",
    "status:close": "closed",
    "merged_into": "merged",
}
REOPEN_KINDS = ("status:reopen", "status:reopen_tip", "unmerged")
HANDLED_INTENTS = (Intent.TIP, Intent.QUESTION, Intent.FEEDBACK)
CLOCK_KINDS = ("operational", "legal")
CHANNELS = ("zalo", "web", "api")


# --- the figures of one unit ----------------------------------------------------------------


@dataclass
class Figures:
    """Additive figures: counts, the durations behind medians, seized items by name."""

    counts: Counter[str] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=dict)
    items: Counter[str] = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        self.counts.update(other.counts)
        self.items.update(other.items)
        for key, values in other.durations.items():
            self.durations.setdefault(key, []).extend(values)

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    def share(self, part: str, whole: str) -> float | None:
        return self[part] / self[whole] if self[whole] else None

    def percentile(self, key: str, p: float) -> float | None:
        """Nearest-rank percentile in seconds; None when no case is in the cohort and
        math.inf when the rank falls among cases still waiting."""
        values = sorted(self.durations.get(key, []))
        if not values:
            return None
        rank = max(1, math.ceil(p * len(values)))
        return values[rank - 1]

    def satisfaction_mean(self) -> float | None:
        n = self["satisfaction.answered"]
        return self["satisfaction.sum"] / n if n else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "items": dict(self.items),
            "ack_p50": self.percentile("ack", 0.5),
            "ack_p90": self.percentile("ack", 0.9),
            "answer_p50": self.percentile("answer", 0.5),
            "answer_p90": self.percentile("answer", 0.9),
        }


@dataclass
class Table:
    """Figures of every unit in the tree: own (cases of the unit itself) and subtree."""

    period: Period
    as_of: datetime
    units: dict[int, Unit]
    own: dict[int, Figures]
    subtree: dict[int, Figures]

    def of(self, unit: Unit | int) -> Figures:
        pk = unit if isinstance(unit, int) else unit.pk
        return self.subtree.get(pk) or Figures()


# --- the case sets (one definition per figure family) ---------------------------------------


def _received(period: Period) -> QuerySet[Case]:
    return Case.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end)


def _ack_clocks(period: Period) -> QuerySet[CaseClock]:
    # The first-acknowledgement clock starts when a unit gets the case (opening, or a
    # transfer, which cancels the previous unit's clock): one cohort per unit and arrival.
    return CaseClock.objects.filter(
        family="first_ack", started_at__gte=period.start, started_at__lt=period.end
    ).exclude(state=CaseClock.State.CANCELLED)


def _answer_cases(period: Period) -> QuerySet[Case]:
    return _received(period).filter(intent__in=HANDLED_INTENTS, merged_into__isnull=True)


def _due_clocks(period: Period, as_of: datetime) -> QuerySet[CaseClock]:
    """Deadlines that fell in the period (and have passed): met in time or not.

    Paused clocks are left out (their deadline moves on resumption), and so are clocks
    cancelled before their deadline (the duty stopped applying)."""
    end = min(period.end, as_of)
    return (
        CaseClock.objects.filter(due_at__gte=period.start, due_at__lt=end, kind__in=CLOCK_KINDS)
        .exclude(state=CaseClock.State.PAUSED)
        .exclude(state=CaseClock.State.CANCELLED, updated_at__lte=F("due_at"))
    )


def _open_at(at: datetime) -> QuerySet[Case]:
    """Cases open at the instant `at`, replayed from the timeline when they were reopened.

    A case closed now with `closed_at` before `at` stayed closed since (closing again
    would have moved `closed_at`), so only cases open now or closed after `at` are looked at:
    those with no closing or reopening before `at` were open; for the few others the last
    closing or reopening event before `at` decides."""
    before = CaseEvent.objects.filter(
        case=OuterRef("pk"), at__lt=at, kind__in=[*DECISION_KINDS, *REOPEN_KINDS]
    )
    last = before.order_by("-at", "-id").values("kind")[:1]
    return (
        Case.objects.filter(opened_at__lt=at)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=at))
        .alias(last_kind=Subquery(last))
        .filter(~Exists(before) | Q(last_kind__in=REOPEN_KINDS))
    )


def _overdue_clock(at: datetime, rule_code: str | None = None) -> QuerySet[CaseClock]:
    """Clocks of a case whose deadline had passed at `at` without the duty being done.

    A cancelled clock's end is the moment it was last saved (`updated_at`)."""
    qs = (
        CaseClock.objects.filter(case=OuterRef("pk"), kind__in=CLOCK_KINDS, due_at__lt=at)
        .exclude(state=CaseClock.State.PAUSED)
        .filter(Q(met_at__isnull=True) | Q(met_at__gt=at))
        .exclude(state=CaseClock.State.CANCELLED, updated_at__lte=at)
    )
    if rule_code:
        qs = qs.filter(rule_code=rule_code)
    return qs


def _overdue_at(at: datetime, rule_code: str | None = None) -> QuerySet[Case]:
    return _open_at(at).filter(Exists(_overdue_clock(at, rule_code)))


def _decisions(period: Period) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(
        at__gte=period.start, at__lt=period.end, kind__in=[*DECISION_KINDS, *REOPEN_KINDS]
    )


def period_end_at(period: Period, as_of: datetime) -> datetime:
    return min(period.end, as_of)


# --- the table ------------------------------------------------------------------------------


def _unit_tree() -> dict[int, Unit]:
    return {
        u.pk: u
        for u in Unit.objects.only("id", "code", "name", "kind", "parent_id", "path", "is_active")
    }


def _seconds(later: datetime | None, earlier: datetime) -> float:
    return math.inf if later is None else max((later - earlier).total_seconds(), 0.0)


def _rows(qs: Iterable[Any]) -> list[dict[str, Any]]:
    return list(qs)


def compute_own(period: Period, as_of: datetime) -> dict[int, Figures]:
    """Each unit's own figures (not yet rolled up): about a dozen grouped queries."""
    own: dict[int, Figures] = {}

    def f(unit_id: int | None) -> Figures:
        return own.setdefault(unit_id or 0, Figures())

    # Received, by the receiving unit, channel, intent, category and urgency.
    rows = _rows(
        _received(period)
        .values(
            "intent",
            "category",
            "urgency",
            ru=Coalesce("received_by_unit_id", "unit_id"),
            provider=F("channel_account__provider"),
            dup=Q(merged_into__isnull=False),
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        c = f(r["ru"]).counts
        n = r["n"]
        c["received"] += n
        c[f"received.channel.{r['provider'] or 'other'}"] += n
        c[f"received.intent.{r['intent']}"] += n
        if r["intent"] == Intent.TIP:
            c[f"received.category.{r['category'] or 'unknown'}"] += n
            c[f"received.urgency.{r['urgency'] or 'unknown'}"] += n
        if r["dup"]:
            c["received.duplicates"] += n

    # Time to first acknowledgement, per arrival at a unit.
    for unit_id, started, met in _ack_clocks(period).values_list(
        "case__unit_id", "started_at", "met_at"
    ):
        fig = f(unit_id)
        fig.counts["ack.done" if met else "ack.pending"] += 1
        fig.durations.setdefault("ack", []).append(_seconds(met, started))

    # Time to the first answer by an officer, from the citizen's first message.
    for unit_id, intent, opened, replied, decided, status in _answer_cases(period).values_list(
        "unit_id", "intent", "opened_at", "first_response_at", "decided_at", "status"
    ):
        # The first reply written in BinhYen, or the moment an officer marked it answered
        # (answered by phone or in person).
        answered = replied or (decided if status == Status.ANSWERED else None)
        if answered is None and status not in Case.OPEN_STATUSES:
            continue  # ended without an answer: not waiting, not answered
        fig = f(unit_id)
        done = "done" if answered else "pending"
        fig.counts[f"answer.{done}"] += 1
        fig.counts[f"answer.{intent}.{done}"] += 1
        fig.durations.setdefault("answer", []).append(_seconds(answered, opened))

    # Deadlines that fell in the period: met in time or not, by rule and by kind.
    rows = _rows(
        _due_clocks(period, as_of)
        .values("case__unit_id", "kind", "rule_code")
        .annotate(
            due=Count("id"),
            in_time=Count("id", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))),
        )
        .order_by()
    )
    for r in rows:
        c = f(r["case__unit_id"]).counts
        for prefix in (f"clock.{r['kind']}", f"clock.rule.{r['rule_code']}"):
            c[f"{prefix}.due"] += r["due"]
            c[f"{prefix}.in_time"] += r["in_time"]

    # Open and overdue at the end of the period.
    end = period_end_at(period, as_of)
    for r in _rows(
        _open_at(end)
        .values("unit_id")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(Exists(_overdue_clock(end)))),
            classify=Count("id", filter=Q(Exists(_overdue_clock(end, "classify")))),
        )
        .order_by()
    ):
        c = f(r["unit_id"]).counts
        c["open_end"] += r["n"]
        c["overdue_end"] += r["overdue"]
        c["classify_overdue_end"] += r["classify"]

    # Decisions and reopenings in the period.
    rows = _rows(
        _decisions(period)
        .values("kind", unit_id=F("case__unit_id"), intent=F("case__intent"))
        .annotate(outcome=KT("data__outcome"))
        .values("kind", "unit_id", "intent", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        c = f(r["unit_id"]).counts
        if r["kind"] in REOPEN_KINDS:
            c["reopened"] += r["n"]
            continue
        what = DECISION_KINDS[r["kind"]]
        c["decided"] += r["n"]
        c[f"decided.{what}"] += r["n"]
        if what == "resolved":
            c[f"decided.resolved.{r['outcome'] or 'unknown'}"] += r["n"]
        if what == "answered" and r["intent"] == Intent.QUESTION:
            c["questions.answered"] += r["n"]

    # People detained, vehicles and items seized (dispatch outcomes recorded in the period).
    outcomes = CaseOutcome.objects.filter(recorded_at__gte=period.start, recorded_at__lt=period.end)
    for r in _rows(
        outcomes.values(unit_id=F("case__unit_id"))
        .annotate(people=Sum("people_detained"), vehicles=Sum("vehicles_seized"), n=Count("id"))
        .order_by()
    ):
        c = f(r["unit_id"]).counts
        c["detained"] += r["people"] or 0
        c["vehicles_seized"] += r["vehicles"] or 0
        c["outcomes_recorded"] += r["n"]
    for unit_id, items in outcomes.exclude(items_seized=[]).values_list(
        "case__unit_id", "items_seized"
    ):
        for item in items or []:
            if isinstance(item, dict) and item.get("name"):
                f(unit_id).items[str(item["name"])] += int(item.get("count") or 1)

    # Followers gained and lost.
    for r in _rows(
        FollowEvent.objects.filter(at__gte=period.start, at__lt=period.end)
        .values("unit_id", "following")
        .annotate(n=Count("id"))
        .order_by()
    ):
        f(r["unit_id"]).counts["followers.gained" if r["following"] else "followers.lost"] += r["n"]

    # Satisfaction: asked in the period; answers given in the period.
    for r in _rows(
        SatisfactionSurvey.objects.filter(asked_at__gte=period.start, asked_at__lt=period.end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        f(r["unit_id"]).counts["satisfaction.asked"] += r["n"]
    for r in _rows(
        SatisfactionSurvey.objects.filter(
            answered_at__gte=period.start, answered_at__lt=period.end, score__isnull=False
        )
        .values("unit_id", "score")
        .annotate(n=Count("id"))
        .order_by()
    ):
        c = f(r["unit_id"]).counts
        c["satisfaction.answered"] += r["n"]
        c["satisfaction.sum"] += r["score"] * r["n"]
        c[f"satisfaction.{r['score']}"] += r["n"]
    own.pop(0, None)
    return own


def roll_up(units: dict[int, Unit], own: dict[int, Figures]) -> dict[int, Figures]:
    """Each unit's figures with its whole subtree's (units are a tree stored as data)."""
    subtree = {pk: Figures() for pk in units}
    for pk, fig in own.items():
        if pk in subtree:
            subtree[pk].add(fig)
    for unit in sorted(units.values(), key=lambda u: -u.path.count("/")):
        parent = unit.parent_id
        if parent in subtree:
            subtree[parent].add(subtree[unit.pk])
    return subtree


def compute_table(period: Period, as_of: datetime) -> Table:
    units = _unit_tree()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These queries are estimated as expensive, so PostgreSQL compiles them with JIT:
            # measured 0.6 s of compiling for a 1 s query at 1M cases. Not worth it here.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        own = compute_own(period, as_of)
    return Table(period=period, as_of=as_of, units=units, own=own, subtree=roll_up(units, own))


# --- the cases behind a figure --------------------------------------------------------------

# Figures a user can open, with the words shown above the list.
FIGURE_LABELS: dict[str, str] = {
    "received": "Tin tiếp nhận trong kỳ",
    "received.duplicates": "Tin trùng đã gộp",
    "ack.pending": "Chưa có cán bộ nhận xử lý",
    "ack": "Thời gian nhận xử lý (nhóm tin trong kỳ)",
    "answer.pending": "Chưa được trả lời",
    "answer": "Thời gian trả lời lần đầu (nhóm tin trong kỳ)",
    "clock.operational.due": "Hạn nghiệp vụ đến hạn trong kỳ",
    "clock.operational.late": "Hạn nghiệp vụ bị trễ",
    "clock.legal.due": "Hạn pháp lý đến hạn trong kỳ",
    "clock.legal.late": "Hạn pháp lý bị trễ",
    "open_end": "Đang mở cuối kỳ",
    "overdue_end": "Quá hạn cuối kỳ",
    "classify_overdue_end": "Quá hạn phân loại cuối kỳ",
    "decided": "Đã có kết quả trong kỳ",
    "reopened": "Mở lại trong kỳ",
    "questions.answered": "Câu hỏi đã trả lời",
    "detained": "Có người bị bắt giữ",
    "satisfaction.answered": "Có đánh giá hài lòng",
}


def figure_label(key: str) -> str | None:
    if key in FIGURE_LABELS:
        return FIGURE_LABELS[key]
    head, _, tail = key.rpartition(".")
    labels = {
        "received.channel": "Tin tiếp nhận qua kênh %s",
        "received.intent": "Tin tiếp nhận loại %s",
        "received.category": "Tin báo lĩnh vực %s",
        "received.urgency": "Tin báo mức khẩn %s",
        "decided": "Kết quả: %s",
        "decided.resolved": "Kết thúc với kết quả %s",
    }
    if head in labels and tail:
        return labels[head] % tail
    return None


def figure_cases(key: str, period: Period, as_of: datetime) -> QuerySet[Case] | None:
    """The cases behind one figure of the table (None: no such figure).

    The caller restricts the result to a unit's subtree *and* to what the user may see;
    received figures are about the receiving unit (`received_unit_path`), the others about
    the responsible unit (`unit__path`): `figure_unit_field` says which.
    """
    if key == "received" or key.startswith("received."):
        qs = _received(period)
        head, _, tail = key.rpartition(".")
        if key == "received.duplicates":
            return qs.filter(merged_into__isnull=False)
        if head == "received.channel":
            return qs.filter(channel_account__provider=tail)
        if head == "received.intent":
            return qs.filter(intent=tail)
        if head == "received.category":
            return qs.filter(intent=Intent.TIP, category=tail)
        if head == "received.urgency":
            return qs.filter(intent=Intent.TIP, urgency=tail)
        return qs if key == "received" else None
    if key in {"ack", "ack.pending", "ack.done"}:
        clocks = _ack_clocks(period)
        if key == "ack.pending":
            clocks = clocks.filter(met_at__isnull=True)
        elif key == "ack.done":
            clocks = clocks.filter(met_at__isnull=False)
        return Case.objects.filter(pk__in=clocks.values("case_id"))
    if key in {"answer", "answer.pending", "answer.done"}:
        answered = Q(first_response_at__isnull=False) | Q(status=Status.ANSWERED)
        qs = _answer_cases(period).filter(answered | Q(status__in=Case.OPEN_STATUSES))
        if key == "answer.pending":
            return qs.exclude(answered)
        if key == "answer.done":
            return qs.filter(answered)
        return qs
    if key.startswith("clock."):
        parts = key.split(".")
        clocks = _due_clocks(period, as_of)
        if parts[1] == "rule" and len(parts) == 4:
            clocks, which = clocks.filter(rule_code=parts[2]), parts[3]
        elif parts[1] in CLOCK_KINDS and len(parts) == 3:
            clocks, which = clocks.filter(kind=parts[1]), parts[2]
        else:
            return None
        late = Q(met_at__isnull=True) | Q(met_at__gt=F("due_at"))
        if which == "late":
            clocks = clocks.filter(late)
        elif which == "in_time":
            clocks = clocks.exclude(late)
        elif which != "due":
            return None
        return Case.objects.filter(pk__in=clocks.values("case_id"))
    end = period_end_at(period, as_of)
    if key == "open_end":
        return _open_at(end)
    if key == "overdue_end":
        return _overdue_at(end)
    if key == "classify_overdue_end":
        return _overdue_at(end, "classify")
    if key == "reopened":
        return Case.objects.filter(
            pk__in=_decisions(period).filter(kind__in=REOPEN_KINDS).values("case_id")
        )
    if key == "decided" or key.startswith("decided.") or key == "questions.answered":
        events = _decisions(period).filter(kind__in=list(DECISION_KINDS))
        parts = key.split(".")
        if key == "questions.answered":
            events = events.filter(kind="status:answer", case__intent=Intent.QUESTION)
        elif len(parts) >= 2:
            kinds = [k for k, v in DECISION_KINDS.items() if v == parts[1]]
            if not kinds:
                return None
            events = events.filter(kind__in=kinds)
            if len(parts) == 3:
                events = events.filter(data__outcome=parts[2])
        return Case.objects.filter(pk__in=events.values("case_id"))
    if key in {"detained", "vehicles_seized", "outcomes_recorded"}:
        outcomes = CaseOutcome.objects.filter(
            recorded_at__gte=period.start, recorded_at__lt=period.end
        )
        if key == "detained":
            outcomes = outcomes.filter(people_detained__gt=0)
        elif key == "vehicles_seized":
            outcomes = outcomes.filter(vehicles_seized__gt=0)
        return Case.objects.filter(pk__in=outcomes.values("case_id"))
    if key.startswith("satisfaction."):
        surveys = SatisfactionSurvey.objects.filter(
            answered_at__gte=period.start, answered_at__lt=period.end, score__isnull=False
        )
        tail = key.split(".", 1)[1]
        if tail.isdigit():
            surveys = surveys.filter(score=int(tail))
        elif tail != "answered":
            return None
        return Case.objects.filter(pk__in=surveys.values("case_id"))
    return None


def figure_unit_field(key: str) -> str:
    """Which unit a figure belongs to: the receiving one for "received…", else the
    responsible one."""
    return "received" if key == "received" or key.startswith("received.") else "unit"


def restrict_to_subtree(qs: QuerySet[Case], key: str, unit: Unit) -> QuerySet[Case]:
    if figure_unit_field(key) == "received":
        return qs.annotate(
            ru_path=Coalesce(F("received_by_unit__path"), F("unit__path"), output_field=None)
        ).filter(ru_path__startswith=unit.path)
    return qs.filter(unit__path__startswith=unit.path)


def ranked_subtree_ids(units: Iterable[Unit], root: Unit) -> list[int]:
    return [u.pk for u in units if u.path.startswith(root.path)]
