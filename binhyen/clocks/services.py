"""Write paths for the clocks of a case: start, meet, cancel, extend, pause, resume, breach.

Every function is keyword-only, atomic, and writes the case timeline (`CaseEvent`) itself. The
case workflow calls them; which call belongs to which step is in docs/clocks.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Case as CaseModel
from binhyen.cases.services.common import timeline_record, timeline_record_many
from binhyen.channels.models import Provider
from binhyen.clocks.models import CalendarDay, CaseClock, ClockRule
from binhyen.lib import clocks as lib
from binhyen.lib import memo, txbatch

if TYPE_CHECKING:
    from binhyen.cases.models import Case

log = logging.getLogger(__name__)

CHANNEL_RULES = ("zalo_free", "zalo_paid")


class ClockError(Exception):
    """A clock operation was refused; the message is shown to the officer as is."""


# --- rules and calendar -----------------------------------------------------------------------


def calendar_load() -> lib.Calendar:
    """The holiday calendar with the administrator's swap days and extra days off (read
    once per worker batch)."""
    return memo.remember(("clocks.calendar",), _calendar_read)


def _calendar_read() -> lib.Calendar:
    rows = list(CalendarDay.objects.values_list("date", "kind"))
    return lib.Calendar.with_overrides(
        days_off=[d for d, kind in rows if kind == CalendarDay.Kind.DAY_OFF],
        working_days=[d for d, kind in rows if kind == CalendarDay.Kind.WORKING_DAY],
    )


def rule_get(code: str) -> ClockRule:
    """The rule row for `code`; a default rule missing from the table is put back first.

    Rows are read once per worker batch (all rules in one query); a rule put back here is
    not remembered, since the transaction that created it may yet roll back."""
    rule = memo.remember(("clocks.rules",), _rules_read).get(code) if memo.active() else None
    if rule is None:
        rule = ClockRule.objects.filter(code=code).first()
    if rule is not None:
        return rule
    default = lib.DEFAULT_RULES_BY_CODE.get(code)
    if default is None:
        raise ClockError(_("Không có quy tắc thời hạn “%(code)s”.") % {"code": code})
    rule, _created = ClockRule.objects.get_or_create(
        code=code, defaults=ClockRule.fields_from_rule(default)
    )
    return rule


def _rules_read() -> dict[str, ClockRule]:
    return {rule.code: rule for rule in ClockRule.objects.all()}


# --- helpers ----------------------------------------------------------------------------------


# In a worker's batch: the open clocks of a case, by family, as this transaction knows them
# (started here, or read locked by `clocks_open` and kept in step since), by case id. Any
# clock write forgets its case; the moves that keep a caller's `open_clocks` in step put
# it back (`_keep`). A case opened in the batch thus never reads its clocks back.
_OPEN = "clocks.open"


def _known_open(case_id: int) -> dict[str, CaseClock] | None:
    known = txbatch.known(_OPEN)
    return None if known is None else known.get(case_id)


def _keep(case_id: int, open_clocks: dict[str, CaseClock]) -> None:
    known = txbatch.known(_OPEN)
    if known is not None:
        known[case_id] = open_clocks


def _forget(case_id: int) -> None:
    known = txbatch.known(_OPEN)
    if known:
        known.pop(case_id, None)


def _open_clock(case: Case, family: str) -> CaseClock | None:
    known = _known_open(case.pk)
    if known is not None:
        return known.get(family)
    return (
        CaseClock.objects.select_for_update(of=("self",))
        .filter(case=case, family=family, state__in=CaseClock.OPEN_STATES)
        .select_related("rule")
        .first()
    )


def _event(clock: CaseClock, *, at: datetime, kind: str, text: str, **data: Any) -> None:
    timeline_record(
        case=clock.case_id,
        at=at,
        kind=kind,
        text=text[:500],
        data={
            "clock": clock.pk,
            "rule": clock.rule_code,
            "due_at": clock.due_at.isoformat(),
            "citation": clock.citation_vi,
            **data,
        },
    )


def _snapshot(clock: CaseClock, rule: ClockRule, amount: int) -> None:
    clock.rule = rule
    clock.rule_code = rule.code
    clock.family = rule.family
    clock.kind = rule.kind
    clock.amount = amount
    clock.unit = rule.unit
    clock.label_vi = rule.description_vi
    clock.citation_vi = rule.citation_vi
    clock.citation_en = rule.citation_en


def deadline_sync(case_id: int) -> None:
    """Keep `Case.next_deadline_at` (the earliest due time of the running or breached clocks)
    in step with the clocks: one UPDATE, so lists filter "overdue" on an index. In a
    worker's batch of events, one UPDATE for every case of the batch, before it commits."""
    txbatch.gather("clocks.deadline_sync", case_id, _deadlines_sync)


def _deadlines_sync(case_ids: list[int]) -> None:
    open_due = (
        CaseClock.objects.filter(
            case_id=OuterRef("pk"),
            state__in=[CaseClock.State.RUNNING, CaseClock.State.BREACHED],
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )
    CaseModel.objects.filter(pk__in=case_ids).update(next_deadline_at=Subquery(open_due))


def _new(
    *, case: Case, rule: ClockRule, at: datetime, reason: str, calendar: lib.Calendar
) -> CaseClock:
    clock = CaseClock(
        case=case,
        started_at=at,
        due_at=lib.add_duration(at, rule.to_rule(), calendar),
        reason=reason[:300],
        chain=[{"code": rule.code, "amount": rule.amount, "at": at.isoformat()}],
    )
    _snapshot(clock, rule, rule.amount)
    return clock


def _started(clock: CaseClock, rule: ClockRule, at: datetime, reason: str) -> dict[str, Any]:
    """The timeline row of a started clock (for `timeline_record_many`)."""
    return {
        "case": clock.case_id,
        "at": at,
        "kind": "clock_started",
        "text": (
            _("Bắt đầu tính hạn: %(label)s, hạn %(due)s (%(citation)s)")
            % {
                "label": rule.description_vi,
                "due": lib.format_deadline_vi(clock.due_at),
                "citation": rule.citation_vi,
            }
        )[:500],
        "data": {
            "clock": clock.pk,
            "rule": clock.rule_code,
            "due_at": clock.due_at.isoformat(),
            "citation": clock.citation_vi,
            "reason": reason,
        },
    }


def _create(
    *, case: Case, rule: ClockRule, at: datetime, reason: str, calendar: lib.Calendar
) -> CaseClock:
    clock = _new(case=case, rule=rule, at=at, reason=reason, calendar=calendar)
    _forget(case.pk)
    clock.save()
    deadline_sync(case.pk)
    timeline_record_many([_started(clock, rule, at, reason)])
    return clock


def _close(
    clock: CaseClock, *, at: datetime, state: str, note: str = "", sync: bool = True
) -> None:
    if clock.state == CaseClock.State.PAUSED and clock.paused_at is not None:
        clock.paused_total += max(at - clock.paused_at, timedelta(0))
        clock.paused_at = None
    clock.state = state
    if state == CaseClock.State.MET:
        clock.met_at = at
    if note:
        clock.note = note[:300]
    _forget(clock.case_id)
    clock.save()
    if sync:
        deadline_sync(clock.case_id)


# --- the write paths --------------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def clock_start(
    *,
    case: Case,
    rule_code: str,
    at: datetime,
    reason: str = "",
    anonymous: bool = False,
    replace: bool = False,
    open_clocks: dict[str, CaseClock] | None = None,
) -> CaseClock | None:
    """Start the clock of `rule_code` at `at`; idempotent.

    When a clock of the same family is already open it is returned unchanged, unless
    `replace` is set and it runs under another rule (the urgency changed: `first_ack_normal`
    → `first_ack_critical`); then it is cancelled and the new one starts at `at`.
    Returns None when the rule is switched off or does not apply to anonymous tipsters.
    """
    rule = rule_get(rule_code)
    if rule.extends:
        raise ClockError(_("“%(code)s” là gia hạn: dùng chức năng gia hạn.") % {"code": rule.code})
    if not rule.active or (anonymous and rule.not_when_anonymous):
        return None
    existing = (
        _open_clock(case, rule.family) if open_clocks is None else open_clocks.get(rule.family)
    )
    if existing is not None:
        if not replace or any(link["code"] == rule.code for link in existing.chain):
            return existing
        _close(
            existing,
            at=at,
            state=CaseClock.State.CANCELLED,
            note=_("Thay bằng quy tắc %(code)s") % {"code": rule.code},
            sync=False,  # the replacing clock's start below syncs the deadline once
        )
        _event(
            existing,
            at=at,
            kind="clock_cancelled",
            text=_("Thôi tính hạn: %(label)s (thay bằng quy tắc khác)")
            % {"label": existing.label_vi},
            replaced_by=rule.code,
        )
    clock = _create(case=case, rule=rule, at=at, reason=reason, calendar=calendar_load())
    if open_clocks is not None:
        open_clocks[rule.family] = clock
        _keep(case.pk, open_clocks)
    return clock


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def clocks_start_new_case(
    *,
    case: Case,
    rule_codes: Iterable[str],
    at: datetime,
    reason: str = "",
    anonymous: bool = False,
) -> list[CaseClock]:
    """Start the clocks of a case opened in this very transaction (none can be open yet):
    the clocks in one INSERT and their timeline rows in another, without lookups."""
    calendar = calendar_load()
    clocks: list[tuple[CaseClock, ClockRule]] = []
    for code in rule_codes:
        rule = rule_get(code)
        if rule.extends:
            raise ClockError(
                _("“%(code)s” là gia hạn: dùng chức năng gia hạn.") % {"code": rule.code}
            )
        if not rule.active or (anonymous and rule.not_when_anonymous):
            continue
        clocks.append((_new(case=case, rule=rule, at=at, reason=reason, calendar=calendar), rule))
    CaseClock.objects.bulk_create([clock for clock, _rule in clocks])
    # The case's only clocks (it was opened in this transaction): known without a lookup.
    _keep(case.pk, {clock.family: clock for clock, _rule in clocks})
    if clocks and txbatch.active():
        deadline_sync(case.pk)  # with the batch's other cases, in one UPDATE
    elif clocks:  # the earliest due time, known here without a subquery (see deadline_sync)
        CaseModel.objects.filter(pk=case.pk).update(
            next_deadline_at=min(clock.due_at for clock, _rule in clocks)
        )
    timeline_record_many([_started(clock, rule, at, reason) for clock, rule in clocks])
    return [clock for clock, _rule in clocks]


def clocks_open(case: Case) -> dict[str, CaseClock]:
    """The case's open clocks by family, locked (one query for several clock moves; none
    in a worker's batch when the batch started them or read them already: `_OPEN`). Pass
    the result as `open_clocks` to the moves, which keep it in step."""
    known = _known_open(case.pk)
    if known is not None:
        return known
    running = {
        clock.family: clock
        for clock in CaseClock.objects.select_for_update(of=("self",))
        .filter(case=case, state__in=CaseClock.OPEN_STATES)
        .select_related("rule")
    }
    _keep(case.pk, running)
    return running


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def clock_meet(
    *,
    case: Case,
    rule_code: str,
    at: datetime,
    note: str = "",
    open_clocks: dict[str, CaseClock] | None = None,
) -> CaseClock | None:
    """The duty was done at `at`: close the open clock of the rule's family.

    Returns None when no such clock is open (never started, or already met). A recurring rule
    (the monthly review of a suspended report) starts its next period at `at`.
    """
    rule = rule_get(rule_code)
    clock = _open_clock(case, rule.family) if open_clocks is None else open_clocks.get(rule.family)
    if clock is None:
        return None
    if open_clocks is not None:
        open_clocks.pop(rule.family, None)
    _close(clock, at=at, state=CaseClock.State.MET, note=note)
    late = clock.met_late
    _event(
        clock,
        at=at,
        kind="clock_met",
        text=(_("Hoàn thành quá hạn: %(label)s") if late else _("Hoàn thành đúng hạn: %(label)s"))
        % {"label": clock.label_vi},
        late=late,
    )
    if clock.rule.repeat and clock.rule.active:
        following = _create(
            case=case, rule=clock.rule, at=at, reason=_("Kỳ tiếp theo"), calendar=calendar_load()
        )
        if open_clocks is not None:
            open_clocks[following.family] = following
    if open_clocks is not None:
        _keep(case.pk, open_clocks)
    return clock


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def clock_cancel(
    *,
    case: Case,
    rule_code: str,
    at: datetime,
    reason: str = "",
    open_clocks: dict[str, CaseClock] | None = None,
) -> CaseClock | None:
    """Stop a clock that no longer applies (e.g. the tip turned out not to be a crime report).
    `open_clocks`: the case's open clocks when already read (`clocks_open`), kept in step."""
    rule = rule_get(rule_code)
    clock = _open_clock(case, rule.family) if open_clocks is None else open_clocks.get(rule.family)
    if clock is None:
        return None
    if open_clocks is not None:
        open_clocks.pop(rule.family, None)
    _close(clock, at=at, state=CaseClock.State.CANCELLED, note=reason)
    _event(
        clock,
        at=at,
        kind="clock_cancelled",
        text=_("Thôi tính hạn: %(label)s") % {"label": clock.label_vi}
        + (f" ({reason})" if reason else ""),
        reason=reason,
    )
    if open_clocks is not None:
        _keep(case.pk, open_clocks)
    return clock


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def clocks_cancel_open(
    *, case: Case, at: datetime, reason: str = "", kinds: Iterable[str] | None = None
) -> list[CaseClock]:
    """Stop every open clock of the case (of `kinds` only, when given), e.g. on closing it."""
    qs = CaseClock.objects.select_for_update(of=("self",)).filter(
        case=case, state__in=CaseClock.OPEN_STATES
    )
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    closed = []
    for clock in qs:
        _close(clock, at=at, state=CaseClock.State.CANCELLED, note=reason)
        _event(
            clock,
            at=at,
            kind="clock_cancelled",
            text=_("Thôi tính hạn: %(label)s") % {"label": clock.label_vi},
            reason=reason,
        )
        closed.append(clock)
    return closed


@transaction.atomic
def clock_extend(
    *,
    case: Case,
    rule_code: str,
    extension_rule_code: str,
    at: datetime,
    amount: int | None = None,
    reason: str = "",
) -> CaseClock:
    """Extend the open clock of `rule_code`'s family by `extension_rule_code`.

    `resolve` → `resolve_extended` (at most 2 months from receipt) → `resolve_procuracy` (the
    procuracy, once, at most 2 months more). `amount` grants less than the rule's maximum.
    An extension never brings the deadline forward.
    """
    base = rule_get(rule_code)
    ext = rule_get(extension_rule_code)
    clock = _open_clock(case, base.family)
    if clock is None:
        raise ClockError(_("Không có thời hạn đang tính để gia hạn."))
    if not ext.active:
        raise ClockError(_("Quy tắc gia hạn “%(code)s” không còn áp dụng.") % {"code": ext.code})
    if ext.family != clock.family or ext.extends != clock.rule_code:
        raise ClockError(
            _("Không thể gia hạn “%(current)s” bằng “%(ext)s”.")
            % {"current": clock.rule_code, "ext": ext.code}
        )
    if clock.state == CaseClock.State.PAUSED:
        raise ClockError(_("Không thể gia hạn khi đang tạm đình chỉ."))
    granted = ext.amount if amount is None else amount
    if not 1 <= granted <= ext.amount:
        raise ClockError(
            _("Thời hạn gia hạn phải từ 1 đến %(max)d %(unit)s.")
            % {"max": ext.amount, "unit": ext.get_unit_display()}
        )
    chain = [*clock.chain, {"code": ext.code, "amount": granted, "at": at.isoformat()}]
    rules = [(rule_get(link["code"]).to_rule(), int(link["amount"])) for link in chain]
    due = lib.chain_deadline(clock.started_at, rules, calendar_load()) + clock.paused_total
    previous_due, previous_state = clock.due_at, clock.state
    _snapshot(clock, ext, granted)
    clock.chain = chain
    clock.due_at = max(due, previous_due)
    if clock.state == CaseClock.State.BREACHED and clock.due_at > at:
        # The new deadline runs afresh: a later breach of it must be noticed too.
        clock.state = CaseClock.State.RUNNING
    if reason:
        clock.reason = reason[:300]
    _forget(clock.case_id)
    clock.save()
    deadline_sync(clock.case_id)
    _event(
        clock,
        at=at,
        kind="clock_extended",
        text=_("Gia hạn: %(label)s, hạn mới %(due)s (%(citation)s)")
        % {
            "label": ext.description_vi,
            "due": lib.format_deadline_vi(clock.due_at),
            "citation": ext.citation_vi,
        },
        previous_due_at=previous_due.isoformat(),
        previous_state=previous_state,
        reason=reason,
    )
    return clock


def _start_triggered(case: Case, trigger: str, at: datetime, reason: str) -> list[CaseClock]:
    started = []
    for rule in ClockRule.objects.filter(starts_on=trigger, active=True).order_by("code"):
        clock = clock_start(case=case, rule_code=rule.code, at=at, reason=reason)
        if clock is not None:
            started.append(clock)
    return started


@transaction.atomic
def clocks_pause(*, case: Case, at: datetime, reason: str = "") -> list[CaseClock]:
    """Handling of the report is suspended (tạm đình chỉ, CPC Art 148) as of `at`.

    Running legal clocks whose rule is pausable stop; the clocks a suspension starts (notice
    to the procuracy and the tipster, monthly review) start. Returns the clocks paused.
    """
    paused = []
    qs = (
        CaseClock.objects.select_for_update(of=("self",))
        .filter(
            case=case,
            kind=ClockRule.Kind.LEGAL,
            state__in=[CaseClock.State.RUNNING, CaseClock.State.BREACHED],
        )
        .select_related("rule")
    )
    for clock in qs:
        if not clock.rule.pausable:
            continue
        clock.state = CaseClock.State.PAUSED
        clock.paused_at = at
        _forget(clock.case_id)
        clock.save(update_fields=["state", "paused_at", "updated_at"])
        _event(
            clock,
            at=at,
            kind="clock_paused",
            text=_("Tạm dừng tính hạn do tạm đình chỉ: %(label)s") % {"label": clock.label_vi},
            reason=reason,
        )
        paused.append(clock)
    deadline_sync(case.pk)
    _start_triggered(case, ClockRule.Trigger.SUSPENSION, at, reason)
    return paused


@transaction.atomic
def clocks_resume(*, case: Case, at: datetime, reason: str = "") -> list[CaseClock]:
    """Handling resumes (phục hồi, CPC Art 149) as of `at`.

    A paused clock whose rule names a `restart_on_resume` rule is replaced by a fresh period
    of that rule counted from `at` (resolution: at most 1 month from the resumption decision,
    CPC Art 149(1)); any other paused clock goes on, its deadline pushed back by the time it
    was paused. The monthly review stops; the clocks a resumption starts start. Returns the
    clocks now running in place of the paused ones.
    """
    calendar = calendar_load()
    resumed = []
    qs = (
        CaseClock.objects.select_for_update(of=("self",))
        .filter(case=case, state=CaseClock.State.PAUSED)
        .select_related("rule")
    )
    for clock in qs:
        paused_from = clock.paused_at or at
        if at < paused_from:
            raise ClockError(_("Thời điểm phục hồi trước thời điểm tạm đình chỉ."))
        if clock.rule.restart_on_resume:
            fresh = rule_get(clock.rule.restart_on_resume)
            _close(
                clock,
                at=at,
                state=CaseClock.State.CANCELLED,
                note=_("Tính lại từ quyết định phục hồi (%(citation)s)")
                % {"citation": fresh.citation_vi},
            )
            _event(
                clock,
                at=at,
                kind="clock_cancelled",
                text=_("Kết thúc thời hạn trước khi tạm đình chỉ: %(label)s")
                % {"label": clock.label_vi},
                reason=reason,
            )
            resumed.append(
                _create(
                    case=case, rule=fresh, at=at, reason=reason or _("Phục hồi"), calendar=calendar
                )
            )
            continue
        clock.due_at = lib.extend_for_pause(clock.due_at, clock.rule.to_rule(), paused_from, at)
        clock.paused_total += at - paused_from
        clock.paused_at = None
        clock.state = CaseClock.State.RUNNING
        _forget(clock.case_id)
        clock.save()
        deadline_sync(case.pk)
        _event(
            clock,
            at=at,
            kind="clock_resumed",
            text=_("Tiếp tục tính hạn: %(label)s, hạn mới %(due)s")
            % {"label": clock.label_vi, "due": lib.format_deadline_vi(clock.due_at)},
            reason=reason,
        )
        resumed.append(clock)
    for clock in CaseClock.objects.select_for_update(of=("self",)).filter(
        case=case,
        state__in=CaseClock.OPEN_STATES,
        rule__starts_on=ClockRule.Trigger.SUSPENSION,
        rule__repeat=True,
    ):
        _close(clock, at=at, state=CaseClock.State.CANCELLED, note=_("Đã phục hồi"))
        _event(
            clock,
            at=at,
            kind="clock_cancelled",
            text=_("Thôi tính hạn: %(label)s (đã phục hồi)") % {"label": clock.label_vi},
        )
    _start_triggered(case, ClockRule.Trigger.RESUMPTION, at, reason)
    return resumed


def clocks_due_breaches(now: datetime | None = None, *, limit: int = 500) -> list[CaseClock]:
    """Mark running clocks whose deadline has passed as breached; return only those newly marked.

    Safe to run from several workers at once: each clock is claimed by a conditional UPDATE in
    its own short transaction, so exactly one caller returns it.
    """
    now = now or timezone.now()
    candidates = list(
        CaseClock.objects.filter(state=CaseClock.State.RUNNING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    newly: list[CaseClock] = []
    for pk in candidates:
        with transaction.atomic():
            claimed = CaseClock.objects.filter(
                pk=pk, state=CaseClock.State.RUNNING, due_at__lte=now
            ).update(state=CaseClock.State.BREACHED, breached_at=now, updated_at=now)
            if not claimed:
                continue
            clock = CaseClock.objects.select_related("case", "rule").get(pk=pk)
            _forget(clock.case_id)
            _event(
                clock,
                at=now,
                kind="clock_breached",
                text=_("Quá hạn: %(label)s (hạn %(due)s, %(citation)s)")
                % {
                    "label": clock.label_vi,
                    "due": lib.format_deadline_vi(clock.due_at),
                    "citation": clock.citation_vi,
                },
            )
            newly.append(clock)
    if newly:
        log.info("clocks breached: %d", len(newly))
    return newly


# --- reads ------------------------------------------------------------------------------------


def clocks_overdue(
    now: datetime | None = None, *, kinds: Iterable[str] | None = None
) -> QuerySet[CaseClock]:
    """Open clocks past their deadline right now (breached or not yet swept), with their case."""
    qs = CaseClock.objects.filter(
        state__in=[CaseClock.State.RUNNING, CaseClock.State.BREACHED],
        due_at__lte=now or timezone.now(),
    ).select_related("case")
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.order_by("due_at", "id")


@dataclass(frozen=True)
class ClockView:
    """One deadline as the console shows it; channel windows look the same as stored clocks."""

    code: str
    family: str
    kind: str
    label: str
    state: str
    started_at: datetime
    due_at: datetime
    due_display: str
    remaining_seconds: int | None
    overdue: bool
    met_at: datetime | None
    citation_vi: str
    citation_en: str


def _view(clock: CaseClock, now: datetime) -> ClockView:
    left = clock.remaining(now)
    overdue = (
        clock.met_late
        if clock.state == CaseClock.State.MET
        else left is not None and left < timedelta(0)
    )
    return ClockView(
        code=clock.rule_code,
        family=clock.family,
        kind=clock.kind,
        label=clock.label_vi,
        state=clock.state,
        started_at=clock.started_at,
        due_at=clock.due_at,
        due_display=lib.format_deadline_vi(clock.due_at),
        remaining_seconds=None if left is None else int(left.total_seconds()),
        overdue=overdue,
        met_at=clock.met_at,
        citation_vi=clock.citation_vi,
        citation_en=clock.citation_en,
    )


def channel_windows(last_inbound_at: datetime | None, now: datetime) -> list[ClockView]:
    """The Zalo reply windows since the citizen's last message, as deadline views."""
    if last_inbound_at is None:
        return []
    calendar = lib.Calendar()  # channel windows are plain hours/days: no holidays involved
    views = []
    for rule in ClockRule.objects.filter(code__in=CHANNEL_RULES, active=True).order_by("amount"):
        due = lib.add_duration(last_inbound_at, rule.to_rule(), calendar)
        left = int((due - now).total_seconds())
        views.append(
            ClockView(
                code=rule.code,
                family=rule.family,
                kind=rule.kind,
                label=rule.description_vi,
                state=CaseClock.State.RUNNING if left >= 0 else CaseClock.State.BREACHED,
                started_at=last_inbound_at,
                due_at=due,
                due_display=lib.format_deadline_vi(due),
                remaining_seconds=left,
                overdue=left < 0,
                met_at=None,
                citation_vi=rule.citation_vi,
                citation_en=rule.citation_en,
            )
        )
    views.sort(key=lambda v: v.due_at)
    return views


def case_clock_summary(case: Case, now: datetime | None = None) -> list[ClockView]:
    """Every clock of the case for display: open ones by deadline, then the Zalo reply windows,
    then those already met (cancelled ones are left out; the timeline keeps them)."""
    now = now or timezone.now()
    clocks = list(
        CaseClock.objects.filter(case=case)
        .exclude(state=CaseClock.State.CANCELLED)
        .order_by("due_at", "id")
    )
    open_views = [_view(c, now) for c in clocks if c.is_open]
    met_views = [_view(c, now) for c in clocks if not c.is_open]
    conversation = case.conversation
    account = case.channel_account
    on_zalo = account is not None and account.provider == Provider.ZALO
    # Zalo's free/paid reply windows exist only on Zalo: a web or Open311 citizen reads the
    # officers' answers on their status page whenever they come.
    channel = (
        channel_windows(conversation.last_inbound_at if conversation else None, now)
        if on_zalo
        else []
    )
    return open_views + channel + met_views
