"""Retraining never activates a model that scores worse than the active one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from binhyen.lib.triage import Example, Triager, evaluate, train
from binhyen.lib.triage.training import seed_examples
from binhyen.triage import engine
from binhyen.triage.models import LabelledExample, ModelVersion, Suggestion
from binhyen.triage.training import in_holdout, model_train, training_data, version_save

FIGHT = "có 2 nhóm thanh niên cầm dao đánh nhau ở chợ Tân An"


@pytest.fixture(scope="module")
def seed() -> dict[str, list[Example]]:
    dev = seed_examples(("seed-dev.jsonl",))
    extra = seed_examples(("seed-extra.jsonl",))
    return {"holdout": dev[::5], "good": extra, "weak": extra[:60:2]}


def _activate(examples: list[Example], holdout: list[Example]) -> ModelVersion:
    """Set up an active version directly (what an earlier `train` would have left)."""
    gaz = engine.gazetteer()
    model = train(examples, gazetteer=gaz)
    report = evaluate(Triager(model, gaz), holdout)
    return version_save(model=model, report=report, state=ModelVersion.State.ACTIVE)


def _corrupted(examples: list[Example]) -> list[Example]:
    """Plausible-looking but wrong labels: every tip becomes a question and vice versa."""
    swap = {"tip": "question", "question": "tip", "feedback": "other", "other": "feedback"}
    out = []
    for e in examples[:80]:
        intent = swap[e.intent]
        tip = intent == "tip"
        out.append(
            replace(
                e,
                intent=intent,
                category="drugs" if tip else None,
                urgency="normal" if tip else None,
            )
        )
    return out


@pytest.mark.slow
def test_train_refuses_a_worse_model_and_keeps_the_active_one(db, seed):
    active = _activate(seed["good"], seed["holdout"])
    result = model_train(training=_corrupted(seed["good"]), holdout=seed["holdout"])
    assert result.activated is False
    refused = result.row
    assert refused.state == ModelVersion.State.REFUSED and bytes(refused.blob) == b""
    assert refused.score < refused.compared_score
    assert refused.compared_with == active.version
    active.refresh_from_db()
    assert active.state == ModelVersion.State.ACTIVE
    assert engine.active_triager().model_version == active.version


@pytest.mark.slow
def test_train_activates_a_better_model_and_suggestions_record_it(world, seed, send):
    weak = _activate(seed["weak"], seed["holdout"])
    result = model_train(training=seed["good"], holdout=seed["holdout"])
    assert result.activated is True
    row = result.row
    assert row.state == ModelVersion.State.ACTIVE and row.score >= weak.score
    assert row.training_size == len(seed["good"]) and row.holdout_size == len(seed["holdout"])
    assert set(row.metrics) == {"intent", "category", "urgency", "place_codes"}
    weak.refresh_from_db()
    assert weak.state == ModelVersion.State.RETIRED
    case = send(FIGHT, page=world.tanan_page)
    assert Suggestion.objects.get(case=case).model_version == row.version


def test_officers_corrections_are_trained_on_or_held_back(db):
    rows = [
        LabelledExample.objects.create(
            text=f"có người lạ rình rập trước cổng số {n} mấy đêm nay",
            intent="tip",
            category="suspicious",
            urgency="normal",
        )
        for n in range(12)
    ]
    data = training_data()
    ids = {f"correction-{r.pk}" for r in rows}
    trained = {e.id for e in data.training} & ids
    held = {e.id for e in data.holdout} & ids
    assert trained | held == ids and not trained & held
    assert held == {f"correction-{r.pk}" for r in rows if in_holdout(r.text)}


def test_incomplete_labels_are_not_trained_on(db):
    row = LabelledExample.objects.create(text="bọn nó đang đánh nhau", intent="tip")
    assert row.as_example() is None
    assert f"correction-{row.pk}" not in {e.id for e in training_data().training}
