"""Retraining from the shipped seed plus officers' corrections, with a gate.

The held-back slice is chosen by a hash of each message's folded text (one in five of the
dev seed and of the officers' corrections), so the same message is held back in every run
and no stored model version has ever been trained on it: the active version and a new
candidate are compared on data neither has seen. The extra seed is always trained on.

When no version is active yet, the product runs the library's default model, which was
trained on the whole seed (held-back slice included); it is then represented by the same
recipe trained without the slice, which is what that model is worth on unseen messages.

The decision figure is the mean of intent, category and urgency accuracy (place is decided
by the gazetteer's rules, which training does not change). A candidate scoring lower than
the active version is stored as refused, without weights, and never activated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from binhyen.lib import vntext
from binhyen.lib.redact import mask_identifiers
from binhyen.lib.triage import EvalReport, Example, Params, Triager, evaluate, train
from binhyen.lib.triage.model import TrainedModel
from binhyen.lib.triage.training import expected_default_version, seed_examples
from binhyen.triage import engine
from binhyen.triage.models import LabelledExample, ModelVersion
from binhyen.vault.models import Identity

HOLDOUT_EVERY = 5
DECIDING_FIELDS = ("intent", "category", "urgency")


def in_holdout(text: str) -> bool:
    digest = hashlib.sha256(vntext.fold(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % HOLDOUT_EVERY == 0


def correction_examples() -> list[Example]:
    """Officers' labelled examples that are complete enough to train on (identifiers
    masked again, for rows kept before masking existed)."""
    out = []
    for row in LabelledExample.objects.order_by("id"):
        example = row.as_example()
        if example is not None:
            out.append(replace(example, text=mask_identifiers(example.text)))
    return out


def examples_forget(*, identity: Identity) -> int:
    """Delete the labelled examples (and their corrections) taken from the cases of the
    person with `identity`. Returns how many were deleted."""
    rows = LabelledExample.objects.filter(suggestion__case__contact__identity=identity)
    deleted, _by_model = rows.delete()
    return deleted


@dataclass
class TrainingData:
    training: list[Example]
    holdout: list[Example]
    baseline_training: list[Example] = field(default_factory=list)


def training_data() -> TrainingData:
    """Seed + corrections, split into what is trained on and what is held back."""
    dev = seed_examples(("seed-dev.jsonl",))
    extra = seed_examples(("seed-extra.jsonl",))
    corrections = correction_examples()
    training = list(extra) + [e for e in dev + corrections if not in_holdout(e.text)]
    holdout = [e for e in dev + corrections if in_holdout(e.text)]
    baseline = list(extra) + [e for e in dev if not in_holdout(e.text)]
    return TrainingData(training, holdout, baseline)


def decision_score(report: EvalReport) -> float:
    acc = report.accuracy
    return round(sum(acc[f] for f in DECIDING_FIELDS) / len(DECIDING_FIELDS), 4)


@dataclass
class TrainResult:
    row: ModelVersion
    activated: bool
    candidate: EvalReport
    active_version: str
    active: EvalReport | None
    message: str


def _active() -> ModelVersion | None:
    return ModelVersion.objects.filter(state=ModelVersion.State.ACTIVE).first()


def model_train(
    *,
    training: Sequence[Example] | None = None,
    holdout: Sequence[Example] | None = None,
    params: Params | None = None,
    note: str = "",
    force: bool = False,
) -> TrainResult:
    """Train a candidate, compare it with the active version on the held-back slice,
    store it, and activate it unless it scores worse (`force`: activate it anyway, when
    the active version must go whatever it scores, e.g. after an erasure)."""
    data = training_data()
    training = list(data.training if training is None else training)
    holdout = list(data.holdout if holdout is None else holdout)
    if not training or not holdout:
        raise ValueError("training needs examples to train on and a held-back slice")
    gaz = engine.gazetteer()
    model = train(training, params=params, gazetteer=gaz)
    candidate = evaluate(Triager(model, gaz), holdout)
    active_row = _active()
    if active_row is not None and active_row.blob:
        active_version = active_row.version
        active_model = engine.model_from_bytes(bytes(active_row.blob), dict(active_row.meta))
    else:
        # The default model saw the held-back seed; judge it by its recipe without the slice
        # (not worth training when the candidate is activated whatever it scores).
        same_data = force or (training == data.baseline_training and params is None)
        active_model = model if same_data else train(data.baseline_training, gazetteer=gaz)
        active_version = f"{expected_default_version()} (default)"
    same = active_model.version == model.version
    active = candidate if same else evaluate(Triager(active_model, gaz), holdout)
    cand_score, active_score = decision_score(candidate), decision_score(active)
    worse = cand_score < active_score and not force
    if worse:
        message = (
            f"REFUSED {model.version}: score {cand_score:.4f} is below the active version "
            f"{active_version} ({active_score:.4f}); the active version stays."
        )
    elif active_row is not None and active_row.version == model.version:
        message = f"UNCHANGED: {model.version} (score {cand_score:.4f}) is already active."
    else:
        message = (
            f"ACTIVATED {model.version}: score {cand_score:.4f} >= {active_score:.4f} of "
            f"{active_version}."
        )
    row = version_save(
        model=model,
        report=candidate,
        state=ModelVersion.State.REFUSED if worse else ModelVersion.State.ACTIVE,
        corrections_used=sum(1 for e in training if e.id.startswith("correction-")),
        holdout_size=len(holdout),
        compared_with=active_version,
        compared_score=active_score,
        note=(note + " " if note else "") + message,
    )
    return TrainResult(row, not worse, candidate, active_version, active, message)


def model_retrain_after_erasure() -> TrainResult:
    """Train on what is left and activate it whatever it scores (the active version may
    have learnt a now-erased person's words); then keep no older version's weights."""
    result = model_train(note="sau khi xóa danh tính", force=True)
    ModelVersion.objects.exclude(pk=result.row.pk).exclude(blob=b"").update(
        blob=b"", state=ModelVersion.State.RETIRED
    )
    return result


@transaction.atomic
def version_save(
    *,
    model: TrainedModel,
    report: EvalReport,
    state: str,
    corrections_used: int = 0,
    holdout_size: int = 0,
    compared_with: str = "",
    compared_score: float | None = None,
    note: str = "",
) -> ModelVersion:
    """Store a model version; an active one replaces the current active version.
    Refused versions keep their figures but not their weights."""
    now = timezone.now()
    blob, meta = engine.model_to_bytes(model) if state == ModelVersion.State.ACTIVE else (b"", {})
    if state == ModelVersion.State.ACTIVE:
        ModelVersion.objects.filter(state=ModelVersion.State.ACTIVE).exclude(
            version=model.version
        ).update(state=ModelVersion.State.RETIRED)
    row, _created = ModelVersion.objects.update_or_create(
        version=model.version,
        defaults={
            "state": state,
            "created_at": now,
            "activated_at": now if state == ModelVersion.State.ACTIVE else None,
            "training_size": int(model.meta.get("training_size", 0)),
            "corrections_used": corrections_used,
            "holdout_size": holdout_size,
            "metrics": report.accuracy,
            "score": decision_score(report),
            "compared_with": compared_with[:64],
            "compared_score": compared_score,
            "note": note[:500],
            "meta": meta or {k: v for k, v in model.meta.items() if k != "held_back"},
            "blob": blob,
        },
    )
    return row
