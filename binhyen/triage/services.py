"""Write paths of triage: read a case, route it, find duplicates, take officers' answers.

* ``case_triage`` — the background task's work after each inbound message: store a
  ``Suggestion``, show it on the case while no officer has classified it, route a tip to
  the unit responsible for the place it names, look for earlier reports of the same event;
* ``suggestion_confirm`` / ``suggestion_correct`` — the officer's one-click answers: the
  legal classification (``case_classify``) and, for corrections, a labelled example;
* ``suggestion_transfer`` — one click on a candidate unit;
* ``duplicate_merge`` / ``duplicate_unmerge`` / ``duplicate_dismiss``.

Training and model versions are in ``binhyen.triage.training``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts.access import can_see_unit
from binhyen.cases import services as cases
from binhyen.cases.models import Case, CaseEvent, Intent, Message, Status
from binhyen.cases.services import CaseError
from binhyen.cases.services.lifecycle import emit
from binhyen.channels.models import Provider
from binhyen.lib import codes, txbatch, vntext
from binhyen.lib.redact import mask_identifiers
from binhyen.lib.triage import Triager
from binhyen.lib.triage.lexicon import CATEGORY_LABELS, INTENT_LABELS, URGENCY_LABELS
from binhyen.lib.triage.training import CATEGORIES, INTENTS, URGENCIES
from binhyen.triage import duplicates, engine, routing
from binhyen.triage.models import (
    Correction,
    DuplicateCandidate,
    LabelledExample,
    Routing,
    Suggestion,
)
from binhyen.units.models import Area, Unit
from binhyen.vault import store as vault

if TYPE_CHECKING:
    from binhyen.accounts.models import User

NEAREST_N = 3


def describe(intent: str, category: str, urgency: str) -> str:
    """ "tin báo · gây rối trật tự công cộng · khẩn cấp" """
    parts = [INTENT_LABELS.get(intent, intent or "—")]
    if intent == Intent.TIP:
        parts += [CATEGORY_LABELS.get(category, category), URGENCY_LABELS.get(urgency, urgency)]
    return " · ".join(p for p in parts if p)


def prefer_home(case: Case, codes: list[str], reasons: list[str]) -> tuple[list[str], list[str]]:
    """Several candidate places one of which the receiving unit serves: that one.

    "chợ trung tâm Buôn Ma Thuột" names the former city (six wards) and the current ward
    alike; sent to the ward's own page, the citizen chose the ward."""
    if len(codes) < 2:
        return codes, reasons
    served = routing.units_for_codes(codes)
    home = [c for c in codes if (u := served.get(str(c))) is not None and u.pk == case.unit_id]
    if len(home) != 1:
        return codes, reasons
    note = _("nhiều nơi cùng tên; tin gửi tới trang của %(unit)s, lấy đơn vị này") % {
        "unit": case.unit.name
    }
    return home, [*reasons, note]


# Below this, the machine's reading is shown as unsure and the officer is asked to decide.
LOW_CONFIDENCE = 0.5
_CONFIDENCE_FIELDS = ("intent", "category", "urgency")


def confidence_of(confidence: dict[str, float]) -> float | None:
    """How sure the machine is of its whole reading: its least sure field (None: unknown)."""
    values = [float(confidence[k]) for k in _CONFIDENCE_FIELDS if k in confidence]
    return min(values) if values else None


def confidence_text(confidence: dict[str, float]) -> str:
    """ "độ tin cậy 82 %" or "máy chưa chắc (độ tin cậy 48 %), cần cán bộ quyết định" """
    p = confidence_of(confidence)
    if p is None:
        return ""
    if p < LOW_CONFIDENCE:
        return _("máy chưa chắc (độ tin cậy %(p)s %%), cần cán bộ quyết định") % {
            "p": round(p * 100)
        }
    return _("độ tin cậy %(p)s %%") % {"p": round(p * 100)}


# --- the background reading of a case ---------------------------------------------------------


def _inbound(case: Case, upto: Message | None) -> tuple[list[str], Message | None]:
    """The case's most recent inbound texts (oldest first) and its latest shared location."""
    qs = Message.objects.filter(case=case, direction=Message.Direction.IN)
    if upto is not None:
        qs = qs.filter(pk__lte=upto.pk)
    recent = list(
        qs.order_by("-sent_at", "-id").only("text", "latitude", "longitude")[: engine.MAX_MESSAGES]
    )
    texts = [m.text.strip() for m in reversed(recent) if m.text.strip()]
    located = next((m for m in recent if m.latitude is not None and m.longitude is not None), None)
    if located is None and len(recent) == engine.MAX_MESSAGES:  # an older one may have it
        located = (
            qs.filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("-sent_at", "-id")
            .first()
        )
    return texts, located


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def case_triage(
    *, case: Case, message: Message | None = None, opened: bool = False
) -> Suggestion | None:
    """Read the case as it stands after ``message``; apply, route, look for duplicates.

    Safe to run twice for the same message; a task that runs after a newer message was
    already read does nothing (the newer suggestion saw everything).

    ``opened``: ``message`` opened ``case`` in this very transaction (a worker's inline
    reading): the case is locked already, has no reading and no other message, so none of
    them is looked up (a copy of the caller's case is read, as a fetched one would be)."""
    if opened and message is not None and message.case_id == case.pk:
        fresh = copy.copy(case)
        # No duplicate signature exists before its first reading writes it (duplicates.py).
        fresh.signature_unwritten = True  # type: ignore[attr-defined]
        return _triage(fresh, message, only=message)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "conversation__channel_account", "channel_account")
        .get(pk=case.pk)
    )
    return _triage(case, message)


def _triage(case: Case, message: Message | None, only: Message | None = None) -> Suggestion | None:
    if message is not None and only is None:
        # This message's reading (done already) or a newer one (it saw everything).
        later = (
            Suggestion.objects.filter(case=case, message_id__gte=message.pk)
            .order_by("message_id")
            .first()
        )
        if later is not None:
            return later if later.message_id == message.pk else None
    triager = engine.active_triager()
    if only is not None:  # the case's one message (see case_triage's `opened`)
        text = only.text.strip()
        texts = [text] if text else []
        located = only if only.latitude is not None and only.longitude is not None else None
    elif message is not None and split_off(case, message, triager):
        return None  # the message opened its own case, read by its own task
    else:
        texts, located = _inbound(case, message)
    suggestion = Suggestion(case=case, message=message, model_version=triager.model_version)
    if texts:
        result = engine.read(triager, texts)
        suggestion.text = "\n".join(texts)[-engine.MAX_CHARS :]
        suggestion.intent = result.intent
        suggestion.category = result.category or ""
        suggestion.urgency = result.urgency or ""
        suggestion.place_codes, suggestion.place_reasons = prefer_home(
            case, list(result.place_codes), list(result.reasons.get("place", []))
        )
        suggestion.reasons = result.reasons
        suggestion.confidence = {k: round(v, 3) for k, v in result.confidence.items()}
    else:
        suggestion.reasons = {"intent": [_("Chưa có nội dung chữ để phân tích.")]}
    if located is not None and located.latitude is not None and located.longitude is not None:
        suggestion.nearest = [
            {"code": n.unit.code, "name": n.unit.name, "km": n.km}
            for n in routing.nearest_units(located.latitude, located.longitude, NEAREST_N)
        ]
    # Whether the reading is shown and where the tip goes are known before anything moves
    # (neither depends on what showing it changes): the suggestion is written once, whole.
    suggestion.applied = _applies(case, suggestion)
    move = _route(case, suggestion)
    # In a worker's batch: written with the batch's other readings, before any query of
    # readings (the "triaged" timeline row names it once it has its id: `_apply`).
    if not txbatch.defer(suggestion, first=True):
        suggestion.save()

    at = timezone.now()
    changed = _apply(case, suggestion, at, fresh=only is not None)
    if move is not None:
        target, reason = move
        cases.case_transfer(case=case, to_unit=target, actor=None, reason=reason, automatic=True)
    if suggestion.applied and changed:
        emit("triaged", case=case, at=at)
    duplicates.signature_keep(case, suggestion)
    case.signature_unwritten = False  # type: ignore[attr-defined]
    if suggestion.intent == Intent.TIP and case.is_open and not case.merged_into_id:
        _record_duplicates(case, suggestion, new_case=only is not None)
    return suggestion


# A message read on its own as a question or feedback this surely, on a case that is a tip,
# opens its own case; less surely, the officer is asked (the panel offers the split).
SPLIT_SURE = 0.9
SPLIT_ASK = 0.6
_SIDE_INTENTS = (Intent.QUESTION, Intent.FEEDBACK)

# Words with which a citizen corrects the place of the same incident ("à nhầm, ở Tân An"): a
# tip naming another place with one of these is the same case, and the officer is only asked.
# (Places reached by movement — "chạy sang phường Tân An" — are already left out by the
# gazetteer, so a fleeing suspect never looks like another place.)
_PLACE_CORRECTIONS = ("nham", "dinh chinh", "dung ra", "khong phai o", "sua lai")


@dataclass(frozen=True)
class SideReading:
    """What a later message of a tip case is on its own, when it may be a case of its own:
    ``what`` says it in words for the officer, ``sure`` whether the machine splits by itself."""

    intent: str
    what: str
    sure: bool


def _earlier_places(case: Case, message: Message) -> list[str]:
    """The area codes the case's reading named before ``message``."""
    earlier = (
        Suggestion.objects.filter(case=case, message_id__lt=message.pk)
        .order_by("-message_id")
        .values_list("place_codes", flat=True)[: engine.MAX_MESSAGES]
    )
    for codes_ in earlier:
        if codes_:
            return [str(c) for c in codes_]
    return []


def _elsewhere(case: Case, message: Message, alone_codes: list[str]) -> bool:
    """Whether a later tip names a place none of the case's earlier places shares, served by
    another unit when units are known for both."""
    before = _earlier_places(case, message)
    if not before or not alone_codes or set(before) & set(alone_codes):
        return False
    units_before = {u.pk for u in routing.units_for_codes(before).values()}
    units_now = {u.pk for u in routing.units_for_codes(alone_codes).values()}
    return not (units_before and units_now and units_before & units_now)


def side_reading(triager: Triager, case: Case, message: Message) -> SideReading | None:
    """What a later message of a tip case is on its own, when it may be something else: a
    question or feedback, or a new incident in another place. None when it belongs here."""
    if case.intent != Intent.TIP or not message.text.strip() or case.merged_into_id:
        return None
    first = (
        Message.objects.filter(case=case, direction=Message.Direction.IN)
        .order_by("sent_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    if first is None or first == message.pk:
        return None
    alone = triager.predict(message.text)
    confidence = float(alone.confidence.get("intent", 0.0))
    if confidence < SPLIT_ASK:
        return None
    if alone.intent in _SIDE_INTENTS:
        what = describe(alone.intent, "", "")
        return SideReading(alone.intent, what, confidence >= SPLIT_SURE)
    if alone.intent != Intent.TIP:
        return None
    codes_ = list(triager.gazetteer.resolve(message.text).codes)
    if not _elsewhere(case, message, codes_):
        return None
    what = _("tin báo về một vụ khác ở nơi khác (%(what)s)") % {
        "what": describe(Intent.TIP, alone.category or "", alone.urgency or "")
    }
    # Another place and another kind of offence is another incident; the same kind of
    # offence somewhere else may be the same one, or a correction: the officer decides.
    other_kind = (
        bool(alone.category)
        and bool(case.category)
        and alone.category != case.category
        and float(alone.confidence.get("category", 0.0)) >= SPLIT_ASK
    )
    folded = f" {vntext.fold(message.text)} "
    corrected = any(f" {w} " in folded for w in _PLACE_CORRECTIONS)
    return SideReading(Intent.TIP, what, other_kind and not corrected)


def split_off(case: Case, message: Message, triager: Triager) -> bool:
    """Split a later message that is surely something else (a question, feedback, a new
    incident elsewhere) off a tip case; ask the officer when the machine is less sure."""
    if message.case_id != case.pk:
        return False
    side = side_reading(triager, case, message)
    if side is None:
        return False
    if not side.sure:
        # Unsure: the officer decides, one click on the message (tách / chuyển).
        cases.timeline_record(
            case=case,
            kind="split_suggested",
            text=(
                _(
                    "Máy nghi một tin nhắn sau là %(what)s riêng, khác với tin báo: cán bộ xem có "
                    "cần tách thành vụ việc mới không"
                )
                % {"what": side.what}
            )[:500],
            data={"message": message.pk, "intent": side.intent},
        )
        return False
    cases.message_split(
        message=message,
        actor=None,
        reason=_("tin nhắn sau là %(what)s, khác với tin báo") % {"what": side.what},
    )
    return True


def _applies(case: Case, s: Suggestion) -> bool:
    """Whether the reading is shown on the case (`_apply`)."""
    return bool(
        s.intent
        and case.status == Status.RECEIVED
        and case.classified_at is None
        and not case.merged_into_id
    )


def _apply(case: Case, s: Suggestion, at: datetime, *, fresh: bool = False) -> bool:
    """Show the machine's reading on a case no officer has classified yet. Never the status:
    classifying is the officer's legal act. Returns whether the case changed.

    ``fresh``: the case was opened by the message read (no other reading, nothing sent)."""
    if not _applies(case, s):
        return False
    s.applied = True
    if not fresh:
        txbatch.flush(Suggestion)  # a reading deferred by a worker's batch gets its id
    first = (
        fresh or not Suggestion.objects.filter(case=case, applied=True).exclude(pk=s.pk).exists()
    )
    current = (case.intent, case.category, case.urgency)
    new = (s.intent, s.category, s.urgency) if first else most_serious(current, s)
    if current == new and not first:
        return False
    case.intent, case.category, case.urgency = new
    fields = ["intent", "category", "urgency"]
    if first and code_follows_kind(case, nothing_sent=fresh):
        fields.append("code")
    case.save(update_fields=fields)
    row = cases.timeline_record(
        case=case,
        at=at,
        kind="triaged",
        text=(
            (
                _("Máy gợi ý: %(what)s — %(sure)s")
                if new == (s.intent, s.category, s.urgency)
                else _(
                    "Máy giữ: %(what)s — tin nhắn sau được đọc là %(later)s, không hạ mức "
                    "đã có (%(sure)s)"
                )
            )
            % {
                "what": describe(*new),
                "later": describe(s.intent, s.category, s.urgency),
                "sure": confidence_text(s.confidence) or _("không rõ độ tin cậy"),
            }
        )[:500],
        data={
            "suggestion": s.pk,
            "intent": new[0],
            "category": new[1],
            "urgency": new[2],
            "suggested": [s.intent, s.category, s.urgency],
            "model": s.model_version,  # technical detail, shown to administrators only
            "confidence": s.confidence,
        },
    )
    if s.pk is None:  # deferred (see _triage): the row names it once it is written
        txbatch.after_written(Suggestion, lambda: row.data.__setitem__("suggestion", s.pk))
    return True


# How serious a reading is: a tip outranks everything else, then its urgency.
_URGENCY_RANK = {"critical": 3, "high": 2, "normal": 1}


def _seriousness(intent: str, urgency: str) -> tuple[int, int]:
    return (1 if intent == Intent.TIP else 0, _URGENCY_RANK.get(urgency, 0))


def most_serious(current: tuple[str, str, str], s: Suggestion) -> tuple[str, str, str]:
    """The case's machine reading after a new message: the most serious of what the earlier
    messages established and what the new reading says. A question after a knife report
    does not make the case a question, nor does "they left" make it less urgent: lowering
    is an officer's decision (the classification form), never the machine's."""
    new = (s.intent, s.category, s.urgency)
    if current[0] in ("", Intent.UNKNOWN):
        return new
    if _seriousness(new[0], new[2]) > _seriousness(current[0], current[2]):
        # More serious: the new reading wins, keeping the earlier category if it has none.
        return (new[0], new[1] or current[1], new[2])
    if current[0] == Intent.TIP and new[0] == Intent.TIP and not current[1]:
        return (current[0], new[1], current[2])
    if current[0] != Intent.TIP and new[0] != Intent.TIP:
        return new  # neither is a tip: the reading of everything said so far
    return current


def code_follows_kind(case: Case, *, nothing_sent: bool = False) -> bool:
    """Give the case the code prefix of what it is (TB tin báo, HD hỏi đáp, PA phản ánh) while
    nobody outside has been given its code: a Zalo case before its first message to the
    citizen (the acknowledgement that names the code goes after this reading). A web or
    Open311 case keeps the code shown on submission: the citizen sees one code everywhere."""
    wanted = codes.prefix_for(case.intent)
    if case.code.startswith(f"{wanted}-"):
        return False
    account = case.channel_account
    if account is None or account.provider != Provider.ZALO:
        return False
    if (
        not nothing_sent
        and Message.objects.filter(case=case, direction=Message.Direction.OUT).exists()
    ):
        return False
    case.code = codes.case_code(wanted, codes.code_body(case.code))
    return True


def _route(case: Case, s: Suggestion) -> tuple[Unit, str] | None:
    """A tip naming exactly one place served by another active unit moves there: the
    suggestion's routing fields, and the move for the caller to make once the suggestion
    is written (the unit and the reason), if any."""
    if s.intent != Intent.TIP:
        s.routing = Routing.NOT_TIP if s.intent else ""
        return None
    if (
        case.status != Status.RECEIVED
        or case.acknowledged_at is not None
        or case.classified_at is not None
        or case.merged_into_id
    ):
        s.routing = Routing.HANDLED
        return None
    codes = [str(c) for c in s.place_codes]
    if not codes:
        s.routing = Routing.NO_PLACE
        if s.nearest:
            s.routing_note = _("Vị trí chia sẻ gần: %(units)s") % {
                "units": ", ".join(f"{n['name']} (~{n['km']} km)" for n in s.nearest)
            }
        return None
    served = routing.units_for_codes(codes)
    units = {u.pk: u for u in served.values()}
    if len(codes) > 1 and (len(units) > 1 or len(served) < len(codes)):
        s.routing = Routing.SEVERAL
        s.routing_note = "; ".join(s.place_reasons)[:500]
        return None
    if not units:
        s.routing = Routing.NO_UNIT
        s.routing_note = "; ".join(s.place_reasons)[:500]
        return None
    [target] = units.values()
    if target.pk == case.unit_id:
        s.routing = Routing.HERE
        return None
    routed = cases.timeline_in_batch(case, "routed")
    if routed or (routed is None and CaseEvent.objects.filter(case=case, kind="routed").exists()):
        # One automatic move per case: a second one would be the machine arguing with itself.
        s.routing = Routing.ONCE
        s.routing_note = target.name
        return None
    why = "; ".join(s.place_reasons) or target.name
    reason = (_("Tự động theo địa danh trong tin: %(why)s") % {"why": why})[:400]
    s.routing, s.routing_note, s.routed_to = Routing.ROUTED, why[:500], target
    return target, reason


def _record_duplicates(case: Case, s: Suggestion, *, new_case: bool = False) -> None:
    """Keep the likely duplicates of the case: new pairs in one INSERT, the pairs already
    kept re-scored unless an officer dismissed them. The case is locked (or was opened in
    this transaction: `new_case`, no pair of it can exist yet), so nobody else writes its
    pairs meanwhile."""
    now = timezone.now()
    matches = duplicates.find(case, s)
    if not matches:
        return
    kept = (
        {}
        if new_case
        else {
            row.other_id: row
            for row in DuplicateCandidate.objects.filter(
                case=case, other_id__in=[m.other.pk for m in matches]
            )
        }
    )
    new = []
    for match in matches:
        row = kept.get(match.other.pk)
        if row is None:
            new.append(
                DuplicateCandidate(
                    case=case,
                    other=match.other,
                    score=match.score,
                    reasons=match.reasons,
                    created_at=now,
                )
            )
        elif row.dismissed_at is None:
            row.score, row.reasons, row.updated_at = match.score, match.reasons, now
            row.save(update_fields=["score", "reasons", "updated_at"])
    if new:
        DuplicateCandidate.objects.bulk_create(new)


# --- the officer's answers ---------------------------------------------------------------------


def latest_suggestion(case: Case) -> Suggestion | None:
    return Suggestion.objects.filter(case=case).order_by("-created_at", "-id").first()


@transaction.atomic
def suggestion_confirm(*, suggestion: Suggestion, actor: User) -> Case:
    """One click: the officer classifies the case as the machine suggested."""
    if not suggestion.intent:
        raise CaseError(_("Chưa có gợi ý để xác nhận."))
    case = cases.case_classify(
        case=suggestion.case,
        actor=actor,
        intent=suggestion.intent,
        category=suggestion.category,
        urgency=suggestion.urgency,
        reason=_("xác nhận gợi ý của máy"),
    )
    suggestion.confirmed_at, suggestion.confirmed_by = timezone.now(), actor
    suggestion.save(update_fields=["confirmed_at", "confirmed_by"])
    return case


@dataclass
class Corrected:
    case: Case
    correction: Correction | None
    transferred_to: Unit | None = None
    note: str = ""


def _current(case: Case, s: Suggestion) -> tuple[str, str, str]:
    if case.intent != Intent.UNKNOWN:
        return case.intent, case.category, case.urgency
    return s.intent, s.category, s.urgency


@transaction.atomic
def suggestion_correct(
    *,
    suggestion: Suggestion,
    actor: User,
    field: str,
    value: str,
    category: str = "",
    urgency: str = "",
) -> Corrected:
    """One click: the officer corrects one field of the suggestion.

    Intent, category and urgency become the case's classification (``case_classify``); a
    place becomes the case's place and, when the officer may, moves the case to the unit
    serving it. Every correction is kept, with the text, as a labelled example."""
    case = suggestion.case
    value = (value or "").strip()
    if field == Correction.Field.PLACE:
        return _correct_place(suggestion, actor, value)
    intent, cat, urg = _current(case, suggestion)
    if field == Correction.Field.INTENT:
        if value not in INTENTS:
            raise CaseError(_("Loại tin không hợp lệ."))
        intent = value
        if intent == Intent.TIP:
            cat = category or cat or suggestion.category
            urg = urgency or urg or suggestion.urgency
            if cat not in CATEGORIES or urg not in URGENCIES:
                raise CaseError(_("Tin báo cần có lĩnh vực và mức khẩn."))
        else:
            cat, urg = "", ""
    elif field in (Correction.Field.CATEGORY, Correction.Field.URGENCY):
        allowed = CATEGORIES if field == Correction.Field.CATEGORY else URGENCIES
        if value not in allowed:
            raise CaseError(_("Giá trị không hợp lệ."))
        if intent != Intent.TIP:
            raise CaseError(_("Chỉ tin báo mới có lĩnh vực và mức khẩn."))
        if field == Correction.Field.CATEGORY:
            cat = value
        else:
            urg = value
    else:
        raise CaseError(_("Không sửa được trường này."))
    suggested = str(getattr(suggestion, field) or "")
    case = cases.case_classify(
        case=case,
        actor=actor,
        intent=intent,
        category=cat,
        urgency=urg,
        reason=_("sửa gợi ý của máy"),
    )  # its after-classify hook records the correction (classification_record)
    correction = None
    if value != suggested:
        correction = (
            Correction.objects.filter(suggestion=suggestion, field=field).order_by("-id").first()
        )
    return Corrected(case=case, correction=correction)


_CLASSIFICATION_FIELDS = (
    Correction.Field.INTENT,
    Correction.Field.CATEGORY,
    Correction.Field.URGENCY,
)


def classification_record(*, suggestion: Suggestion, actor: User, case: Case) -> list[Correction]:
    """After an officer classified the case, from whichever form: every field that differs
    from the suggestion becomes a correction (once per new value), and the suggestion's
    labelled example follows the case's classification."""
    made: list[Correction] = []
    for field in _CLASSIFICATION_FIELDS:
        if field != Correction.Field.INTENT and case.intent != Intent.TIP:
            continue
        suggested = str(getattr(suggestion, field) or "")
        value = str(getattr(case, field) or "")
        if value == suggested or (field != Correction.Field.INTENT and not suggested):
            continue  # agreed, or the machine made no claim (it did not read a tip)
        last = Correction.objects.filter(suggestion=suggestion, field=field).order_by("-id").first()
        if last is not None and last.corrected == value:
            continue  # classified again with the same answer
        made.append(
            Correction.objects.create(
                example=_example(suggestion, actor, case),
                suggestion=suggestion,
                field=field,
                suggested=suggested,
                corrected=value,
                officer=actor,
            )
        )
    if not made and LabelledExample.objects.filter(suggestion=suggestion).exists():
        _example(suggestion, actor, case)  # changed back or elsewhere: the labels follow
    return made


def _example(s: Suggestion, actor: User, case: Case) -> LabelledExample:
    """The suggestion's labelled example, labels as the case is now classified."""
    intent, category, urgency = _current(case, s)
    example, _created = LabelledExample.objects.get_or_create(
        suggestion=s,
        defaults={
            "text": training_text(case, s.text),
            "intent": intent,
            "place_codes": list(s.place_codes),
        },
    )
    example.intent = intent
    example.category = category if intent == Intent.TIP else ""
    example.urgency = urgency if intent == Intent.TIP else ""
    example.officer = actor
    example.updated_at = timezone.now()
    example.save()
    return example


def training_text(case: Case, text: str) -> str:
    """The case's text as it may be kept for training: identifiers (phones, plates, ID
    numbers, e-mails, Zalo ids) and everything the vault knows about the citizen masked."""
    identity = case.contact.identity if case.contact is not None else None
    return mask_identifiers(text, vault.identity_values(identity))


def _correct_place(s: Suggestion, actor: User, code: str) -> Corrected:
    case = s.case
    if code and not Area.objects.filter(code=code, kind__in=routing.COMMUNE_AREA_KINDS).exists():
        raise CaseError(_("Không có xã/phường này."))
    corrected = [code] if code else []
    if sorted(corrected) == sorted(str(c) for c in s.place_codes):
        return Corrected(case=case, correction=None, note=_("Địa bàn trùng với gợi ý."))
    example = _example(s, actor, case)
    example.place_codes = corrected
    example.save(update_fields=["place_codes"])
    correction = Correction.objects.create(
        example=example,
        suggestion=s,
        field=Correction.Field.PLACE,
        suggested=",".join(str(c) for c in s.place_codes),
        corrected=code,
        officer=actor,
    )
    result = Corrected(case=case, correction=correction)
    target = routing.units_for_codes(corrected).get(code) if code else None
    if target is None or target.pk == case.unit_id or not case.is_open:
        return result
    upward = case.unit.path.startswith(target.path)
    if not (can_see_unit(actor, target) or upward):
        result.note = _(
            "Đã ghi địa bàn. Bạn không có quyền chuyển tới %(unit)s: chuyển lên đơn vị cấp trên "
            "để điều chuyển."
        ) % {"unit": target.name}
        return result
    area = Area.objects.get(code=code)
    cases.case_transfer(
        case=case,
        to_unit=target,
        actor=actor,
        reason=_("Cán bộ sửa địa bàn: %(area)s") % {"area": area.name},
    )
    result.transferred_to = target
    return result


@dataclass
class Candidate:
    unit: Unit
    why: str  # short, for the panel
    detail: str  # the full reason, for the timeline
    near: bool = False  # only near a shared location (no boundary says it belongs there)


def km_words(km: float) -> str:
    """ "3,4 km" (Vietnamese decimal comma)."""
    return f"{km:.1f}".replace(".", ",") + " km"


def candidate_units(s: Suggestion) -> list[Candidate]:
    """Units the suggestion points at (its places, then the nearest to a shared location),
    other than the case's own unit."""
    out: list[Candidate] = []
    seen = {s.case.unit_id}
    served = routing.units_for_codes(s.place_codes)
    for code in s.place_codes:
        unit = served.get(str(code))
        if unit is not None and unit.pk not in seen:
            seen.add(unit.pk)
            detail = "; ".join(s.place_reasons) or unit.name
            out.append(Candidate(unit, _("địa danh trong tin"), detail))
    near = {n["code"]: n for n in s.nearest}
    for unit in Unit.objects.filter(code__in=list(near), is_active=True):
        if unit.pk not in seen:
            seen.add(unit.pk)
            # Distances are to the area's centre: no ward boundaries are available offline,
            # so the panel says how near, never that the point belongs there.
            why = _("cách trung tâm địa bàn %(km)s") % {
                "km": km_words(float(near[unit.code]["km"]))
            }
            out.append(Candidate(unit, why, why, near=True))
    return out


@transaction.atomic
def suggestion_transfer(*, suggestion: Suggestion, actor: User, unit: Unit) -> Case:
    """One click on a candidate unit: transfer with the suggestion's reasons."""
    found = [c for c in candidate_units(suggestion) if c.unit.pk == unit.pk]
    if not found:
        raise CaseError(_("Đơn vị này không nằm trong các gợi ý."))
    return cases.case_transfer(
        case=suggestion.case,
        to_unit=unit,
        actor=actor,
        reason=(_("Theo gợi ý: %(why)s") % {"why": found[0].detail})[:400],
    )


# --- duplicates ---------------------------------------------------------------------------------


@transaction.atomic
def duplicate_merge(*, candidate: DuplicateCandidate, actor: User) -> Case:
    """Merge the newer report into the earlier case (all messages and reporters kept)."""
    if candidate.dismissed_at is not None:
        raise CaseError(_("Cặp này đã được đánh dấu không trùng."))
    reason = _("nghi trùng %(score)s: %(why)s") % {
        "score": f"{candidate.score:.0%}",
        "why": ", ".join(candidate.reasons),
    }
    return cases.case_merge(
        primary=candidate.other, duplicate=candidate.case, actor=actor, reason=reason[:300]
    )


@transaction.atomic
def duplicate_unmerge(*, duplicate: Case, actor: User, reason: str) -> Case:
    """Undo a merge; the pair is then known not to be a duplicate."""
    primary_id = duplicate.merged_into_id
    case = cases.case_unmerge(duplicate=duplicate, actor=actor, reason=reason)
    DuplicateCandidate.objects.filter(
        case=duplicate, other_id=primary_id, dismissed_at__isnull=True
    ).update(dismissed_at=timezone.now(), dismissed_by=actor)
    return case


@transaction.atomic
def duplicate_dismiss(*, candidate: DuplicateCandidate, actor: User) -> DuplicateCandidate:
    if not can_see_unit(actor, candidate.case.unit):
        raise CaseError(_("Bạn không có quyền với vụ việc này."))
    candidate.dismissed_at, candidate.dismissed_by = timezone.now(), actor
    candidate.save(update_fields=["dismissed_at", "dismissed_by"])
    cases.timeline_record(
        case=candidate.case,
        actor=actor,
        kind="duplicate_dismissed",
        text=_("Không trùng với %(code)s") % {"code": candidate.other.code},
        data={"other": candidate.other_id},
    )
    return candidate
