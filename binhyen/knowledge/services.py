"""Every write of the knowledge base: entries and their versions, answers, gaps, settings."""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.cases.models import Case, Intent, Message
from binhyen.cases.services import case_reply, outbound_queue, timeline_record
from binhyen.knowledge import search
from binhyen.knowledge.models import (
    CONTENT_FIELDS,
    REVIEW_DAYS,
    Answer,
    Procedure,
    ProcedureVersion,
    Unanswered,
    UnitSetting,
)
from binhyen.lib import memo, txbatch
from binhyen.lib.knowledge import normalize
from binhyen.lib.knowledge.search import (
    EXPANDED_NOTE,
    catalogue,
    dev_examples,
    expansions,
    synonyms_file,
)
from binhyen.lib.redact import mask_identifiers

if TYPE_CHECKING:
    from binhyen.accounts.models import User
    from binhyen.units.models import Unit

AUTO_NOTE = "(Trả lời tự động — cán bộ sẽ xác nhận nếu cần.)"


class KnowledgeError(Exception):
    pass


def snapshot(procedure: Procedure) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(procedure, f) for f in CONTENT_FIELDS}
    data["status"] = procedure.status
    return data


def _diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    out: list[str] = []
    for field in (*CONTENT_FIELDS, "status"):
        a, b = str(before.get(field, "")), str(after.get(field, ""))
        if a != b:
            out.extend(
                difflib.unified_diff(
                    a.splitlines(),
                    b.splitlines(),
                    f"{field} (trước)",
                    f"{field} (sau)",
                    lineterm="",
                )
            )
    return "\n".join(out)


def _version(
    procedure: Procedure, *, before: dict[str, Any], author: User | None, action: str, note: str
) -> ProcedureVersion:
    after = snapshot(procedure)
    procedure.version += 1
    procedure.save(update_fields=["version"])
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=procedure.version,
        author=author,
        action=action,
        note=note[:300],
        snapshot=after,
        diff=_diff(before, after),
    )


def _fold(procedure: Procedure) -> str:
    return normalize(" ".join([procedure.title, procedure.summary, procedure.synonyms]))


@transaction.atomic
def procedure_save(
    *,
    procedure: Procedure | None,
    data: dict[str, Any],
    author: User,
    note: str = "",
    owner_unit: Unit | None = None,
) -> Procedure:
    """Create or edit an entry. A changed entry needs a new approval ("cần kiểm tra")."""
    creating = procedure is None
    if procedure is None:
        procedure = Procedure(slug=data["slug"], owner_unit=owner_unit)
        before: dict[str, Any] = {}
    else:
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        before = snapshot(procedure)
    for field in CONTENT_FIELDS:
        if field in data:
            setattr(procedure, field, (data[field] or "").strip())
    if "area" in data:
        procedure.area = data["area"] or ""
    changed = creating or any(before.get(f) != getattr(procedure, f) for f in CONTENT_FIELDS)
    if not changed:
        return procedure
    procedure.status = Procedure.Status.DRAFT
    procedure.folded = _fold(procedure)
    procedure.updated_at = timezone.now()
    procedure.save()
    _version(
        procedure,
        before=before,
        author=author,
        action="created" if creating else "edited",
        note=note,
    )
    return procedure


@transaction.atomic
def procedure_approve(*, procedure: Procedure, actor: User, note: str = "") -> Procedure:
    """An approver checked the entry: it is published and due for review in REVIEW_DAYS."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    before = snapshot(procedure)
    now = timezone.now()
    procedure.status = Procedure.Status.APPROVED
    procedure.reviewed_at = now
    procedure.reviewed_by = actor
    procedure.review_due = timezone.localdate(now) + timedelta(days=REVIEW_DAYS)
    procedure.updated_at = now
    procedure.save()
    _version(procedure, before=before, author=actor, action="approved", note=note)
    return procedure


@transaction.atomic
def catalogue_load() -> int:
    """Load the shipped catalogue as drafts when the base is empty (first use: the migration
    does it too, but a flushed test database or a restored empty table must still answer).
    Returns how many entries were created."""
    if Procedure.objects.exists():
        return 0
    syn = synonyms_file()["synonyms"]
    examples = dev_examples()
    expanded = expansions()
    created = 0
    for row in catalogue():
        data = {
            "title": row["title_vi"],
            "summary": row["summary_vi"],
            "where": row["handled_at_vi"],
            "legal_basis": "\n".join(row["legal_basis"]),
            "synonyms": "\n".join(syn.get(row["slug"], [])),
            "examples": "\n".join(examples.get(row["slug"], [])),
            "sources": "Danh mục khởi đầu của BinhYen (procedures.json). Cần kiểm tra: "
            + row["notes_en"]
            + ("\n" + EXPANDED_NOTE if row["slug"] in expanded else ""),
            **expanded.get(row["slug"], {}),
        }
        p = Procedure(slug=row["slug"], area=row["area"], **data)
        p.folded = _fold(p)
        p.save()
        _version(p, before={}, author=None, action="imported", note="procedures.json")
        created += 1
    return created


def public_url(procedure: Procedure) -> str:
    base = str(getattr(settings, "PUBLIC_SITE_URL", "") or "").rstrip("/")
    return base + reverse("knowledge:public_detail", kwargs={"slug": procedure.slug})


def draft_text(procedure: Procedure, *, automatic: bool = False) -> str:
    """A short Vietnamese answer: the gist, where, and the link to the full entry."""
    parts = [procedure.title + ":"]
    summary = procedure.summary.strip()
    if len(summary) > 600:
        summary = summary[:600].rsplit(". ", 1)[0] + "."
    if summary:
        parts.append(summary)
    if procedure.where.strip():
        parts.append(_("Nơi làm: %(where)s") % {"where": procedure.where.strip()[:400]})
    parts.append(_("Xem đầy đủ: %(url)s") % {"url": public_url(procedure)})
    if automatic:
        parts.append(AUTO_NOTE)
    return "\n".join(parts)[:1900]


def question_text(case: Case) -> str:
    """The citizen's words on the case (their messages, oldest first)."""
    opened_text = getattr(case, "opened_text", None)
    if opened_text is not None and txbatch.active():
        return str(opened_text).strip()  # opened by its one message in this worker's batch
    texts = (
        Message.objects.filter(case=case, direction=Message.Direction.IN)
        .order_by("sent_at", "pk")
        .values_list("text", flat=True)[:5]
    )
    return " ".join(t for t in texts if t).strip()


@transaction.atomic
def answer_send(
    *,
    case: Case,
    procedure: Procedure,
    text: str,
    actor: User,
    suggested: list[str],
    client_token: str | None = None,
) -> Message:
    """An officer sends (an edited) suggested answer; the choice is kept as feedback."""
    message = case_reply(case=case, author=actor, text=text, client_token=client_token)
    question = mask_identifiers(question_text(case))[:1000]
    rank = suggested.index(procedure.slug) if procedure.slug in suggested else None
    Answer.objects.create(
        case=case,
        procedure=procedure,
        kind=Answer.Kind.OFFICER,
        question=question,
        suggested=suggested[:5],
        rank=rank,
        actor=actor,
        message=message,
    )
    Unanswered.objects.filter(case=case, resolved=False).update(
        resolved=True,
        resolution=Unanswered.Resolution.ANSWERED,
        procedure=procedure,
        resolved_by=actor,
        resolved_at=timezone.now(),
    )
    return message


@transaction.atomic
def unanswered_record(*, case: Case, text: str) -> Unanswered:
    masked = mask_identifiers(text)[:2000]
    row, _created = Unanswered.objects.get_or_create(
        case=case,
        defaults={"unit": case.unit, "text": masked, "folded": normalize(masked)[:2000]},
    )
    return row


@transaction.atomic
def unanswered_resolve(*, row: Unanswered, actor: User, procedure: Procedure | None = None) -> int:
    """An editor closes an unanswered question and every open one worded the same in its unit:
    linked to ``procedure`` (it becomes an example question of that entry) or, without one,
    marked out of scope (it becomes a negative example for the "no answer" decision). Both
    reach the search at its next use. Returns how many questions left the list."""
    resolution = Unanswered.Resolution.LINKED if procedure else Unanswered.Resolution.OUT_OF_SCOPE
    return Unanswered.objects.filter(unit=row.unit, folded=row.folded, resolved=False).update(
        resolved=True,
        resolution=resolution,
        procedure=procedure,
        resolved_by=actor,
        resolved_at=timezone.now(),
    )


@transaction.atomic
def setting_update(*, unit: Unit, auto_answer: bool, min_score: float | None = None) -> UnitSetting:
    row, _created = UnitSetting.objects.get_or_create(unit=unit)
    row.auto_answer = auto_answer
    if min_score is not None:
        row.min_score = max(0.2, min(1.0, min_score))
    row.updated_at = timezone.now()
    row.save()
    return row


def setting_for(unit: Unit) -> UnitSetting | None:
    """The unit's own setting, else the nearest unit above that has one (read once per
    unit in a worker's batch)."""
    return memo.remember(("knowledge.setting_for", unit.path), lambda: _setting_for(unit))


def _setting_for(unit: Unit) -> UnitSetting | None:
    paths = [p for p in _ancestor_paths(unit.path)]
    rows = {
        s.unit.path: s
        for s in UnitSetting.objects.filter(unit__path__in=paths).select_related("unit")
    }
    for path in reversed(paths):
        if path in rows:
            return rows[path]
    return None


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@transaction.atomic(savepoint=False)  # nested: no savepoint (see docs/architecture.md)
def question_answer_auto(*, case: Case, at: datetime | None = None) -> Message | None:
    """A triaged question: answer at once when the unit allows it and the match is sure;
    otherwise keep a suggestion (and note a gap when nothing matches). Never for a tip."""
    if case.intent != Intent.QUESTION or not case.is_open:
        return None
    if Answer.objects.filter(
        case=case, kind__in=[Answer.Kind.AUTOMATIC, Answer.Kind.OFFICER]
    ).exists():
        return None
    text = question_text(case)
    if not text:
        return None
    matches = search.search(text)
    if not matches:
        unanswered_record(case=case, text=text)
        return None
    setting = setting_for(case.unit)
    if setting is None or not setting.auto_answer:
        return None
    best = search.confident(matches, setting.min_score)
    conversation = case.conversation
    now = at or timezone.now()
    # Only inside Zalo's free reply window: an automatic answer never costs a paid message.
    if best is None or conversation is None or conversation.reply_window(now) != "free":
        return None
    message = outbound_queue(
        conversation=conversation,
        case=case,
        text=draft_text(best.procedure, automatic=True),
        author_label=_("Trả lời tự động"),
        at=now,
    )
    Answer.objects.create(
        case=case,
        procedure=best.procedure,
        kind=Answer.Kind.AUTOMATIC,
        question=mask_identifiers(text)[:1000],
        suggested=[m.procedure.slug for m in matches],
        score=best.score,
        rank=0,
        message=message,
    )
    timeline_record(
        case=case,
        at=now,
        kind="knowledge_auto",
        text=(_("Trả lời tự động theo thủ tục: %(title)s") % {"title": best.procedure.title})[:500],
        data={
            "procedure": best.procedure.slug,
            "message": message.pk,
            "score": round(best.score, 3),
        },
    )
    return message
