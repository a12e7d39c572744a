"""Training the triage model from labelled examples.

``train(examples)`` fits three multinomial logistic regressions (scikit-learn, lbfgs) on the
same feature space: intent on every example, category and urgency on tips only. Training is
deterministic: sorted vocabulary, a deterministic solver, no random state involved; the same
seed files give the same weights (``version`` is a hash of the data, the parameters and
the sources that compute the features).

``build_default_model(path)`` trains on the shipped seed files (``binhyen/data/triage/``),
measures held-back scores (k-fold on the dev seed, and extra-seed-only → dev seed) and saves
the artifact with those figures in its metadata.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage.features import analyse, cue_features, ngram_counts
from binhyen.lib.triage.model import Head, TrainedModel, save_model

SEED_DIR = Path(__file__).resolve().parents[2] / "data" / "triage"
SEED_FILES = ("seed-dev.jsonl", "seed-extra.jsonl")
MODEL_GENERATION = "v1"

INTENTS = ("tip", "question", "feedback", "other")
CATEGORIES = (
    "public_order", "theft_robbery", "drugs", "gambling", "fraud", "loan_shark", "traffic",
    "fire_rescue", "domestic_child", "environment", "suspicious", "other_crime",
)  # fmt: skip
URGENCIES = ("critical", "high", "normal")


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    intent: str
    category: str | None = None
    urgency: str | None = None
    place_codes: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Example:
        intent = row["intent"]
        if intent not in INTENTS:
            raise ValueError(f"{row.get('id')}: unknown intent {intent!r}")
        category, urgency = row.get("category"), row.get("urgency")
        if intent == "tip" and (category not in CATEGORIES or urgency not in URGENCIES):
            raise ValueError(f"{row.get('id')}: a tip needs a category and an urgency")
        return cls(
            id=str(row.get("id", "")),
            text=str(row["text"]),
            intent=intent,
            category=category if intent == "tip" else None,
            urgency=urgency if intent == "tip" else None,
            place_codes=tuple(sorted(str(c) for c in row.get("place_codes") or [])),
        )


@dataclass(frozen=True)
class Params:
    c_intent: float = 16.0
    c_category: float = 16.0
    c_urgency: float = 16.0
    cue_weight: float = 0.15  # intent; the value stored with the model
    # Category and urgency see the cue features at their own scale (a smaller scale is a
    # stronger regularisation of those columns); folded into the head's coefficients.
    cue_weight_category: float = 0.12
    cue_weight_urgency: float = 0.12
    min_df: int = 1


def load_examples(path: str | Path) -> list[Example]:
    """Read a JSON Lines file in the triage-dev format."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(Example.from_dict(json.loads(line)))
    return out


def seed_examples(names: Iterable[str] = SEED_FILES) -> list[Example]:
    """The shipped seed examples (dev copy first, then the extra seed)."""
    return [e for name in names for e in load_examples(SEED_DIR / name)]


@lru_cache(maxsize=1)
def _feature_code_digest() -> bytes:
    """The sources that decide the features: a change to a lexicon or a rule is a new model."""
    # deferred: these modules' sources are hashed, not used; importing here keeps the
    # import order of the package free.
    from binhyen.lib import gazetteer, vntext
    from binhyen.lib.triage import features, lexicon, reading

    h = hashlib.sha256()
    for module in (vntext, gazetteer, lexicon, reading, features):
        h.update(Path(module.__file__ or "").read_bytes())
    h.update(gazetteer.DEFAULT_PATH.read_bytes())
    return h.digest()


def _fingerprint(examples: Sequence[Example], params: Params) -> str:
    h = hashlib.sha256()
    h.update(_feature_code_digest())
    h.update(json.dumps(asdict(params), sort_keys=True).encode())
    for e in examples:
        h.update(json.dumps([e.text, e.intent, e.category, e.urgency]).encode())
    return h.hexdigest()[:10]


def _fit(x: Any, y: list[str], c: float) -> Head:
    # Imported here: scikit-learn takes seconds to import and only training needs it.
    # deferred: scikit-learn loads only to train
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(y))
    if len(classes) == 1:  # degenerate training set: a constant head
        n = x.shape[1]
        return Head(classes, np.zeros((1, n)), np.zeros(1))
    clf = LogisticRegression(C=c, solver="newton-cg", max_iter=500, tol=1e-5)
    clf.fit(x, y)
    coef, intercept = clf.coef_, clf.intercept_
    if len(classes) == 2:  # binary: sklearn keeps one row; expand to a softmax pair
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.asarray([-intercept[0] / 2, intercept[0] / 2])
    return Head([str(c) for c in clf.classes_], coef, intercept)


def _fit_scaled(x: Any, y: list[str], c: float, n_grams: int, scale: float) -> Head:
    """Fit with the cue columns (from ``n_grams`` on) multiplied by ``scale``, then fold the
    scale into their coefficients: the stored model scores with one cue weight for all heads."""
    if scale == 1.0:
        return _fit(x, y, c)
    # deferred: scipy loads only to train
    from scipy import sparse

    factors = np.ones(x.shape[1])
    factors[n_grams:] = scale
    head = _fit(x @ sparse.diags(factors), y, c)
    head.coef[:, n_grams:] *= scale
    return head


def train(
    examples: Sequence[Example], params: Params | None = None, gazetteer: Gazetteer | None = None
) -> TrainedModel:
    """Fit the three heads on the examples; returns an in-memory model."""
    params = params or Params()
    gazetteer = gazetteer or Gazetteer.load()
    if not examples:
        raise ValueError("no training examples")
    analyses = [analyse(e.text, gazetteer) for e in examples]
    df: Counter[str] = Counter()
    for a in analyses:
        df.update(ngram_counts(a).keys())  # document frequency
    grams = sorted(g for g, d in df.items() if d >= params.min_df)
    n = len(analyses)
    idf = np.asarray([math.log((1 + n) / (1 + df[g])) + 1.0 for g in grams])
    cues = sorted({f for a in analyses for f in cue_features(a)})
    model = TrainedModel(
        version=f"triage-{MODEL_GENERATION}-{_fingerprint(examples, params)}",
        vocab={g: i for i, g in enumerate(grams)},
        idf=idf,
        cue_vocab={c: len(grams) + i for i, c in enumerate(cues)},
        cue_weight=params.cue_weight,
        heads={},
    )
    x = model.matrix(analyses)
    tips = [i for i, e in enumerate(examples) if e.intent == "tip"]
    model.heads["intent"] = _fit(x, [e.intent for e in examples], params.c_intent)
    if tips:
        xt = x[tips]
        model.heads["category"] = _fit_scaled(
            xt, [str(examples[i].category) for i in tips], params.c_category,
            len(grams), params.cue_weight_category / params.cue_weight,
        )  # fmt: skip
        urgencies = [str(examples[i].urgency) for i in tips]
        model.heads["urgency"] = _fit_scaled(
            xt, urgencies, params.c_urgency, len(grams),
            params.cue_weight_urgency / params.cue_weight,
        )  # fmt: skip
    else:
        for name, classes in (("category", CATEGORIES), ("urgency", URGENCIES)):
            k = len(classes)
            model.heads[name] = Head(list(classes), np.zeros((k, x.shape[1])), np.zeros(k))
    model.meta = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_size": len(examples),
        "training_tips": len(tips),
        "params": asdict(params),
        "n_grams": len(grams),
        "n_cues": len(cues),
    }
    return model


@dataclass
class HeldBack:
    """Scores measured on data the model did not see, stored with the artifact."""

    kfold_dev: dict[str, float] = field(default_factory=dict)
    extra_only_to_dev: dict[str, float] = field(default_factory=dict)


def build_default_model(path: str | Path, *, folds: int = 5) -> TrainedModel:
    """Train on the shipped seed files, measure held-back scores, save to ``path``."""
    # deferred: evaluate and triager import this module (training → evaluation → training)
    from binhyen.lib.triage.evaluate import cross_validate, evaluate
    from binhyen.lib.triage.triager import Triager

    gazetteer = Gazetteer.load()
    dev = seed_examples(("seed-dev.jsonl",))
    extra = seed_examples(("seed-extra.jsonl",))
    held = HeldBack()
    held.kfold_dev = cross_validate(dev, extra, folds=folds, gazetteer=gazetteer).accuracy
    proxy = Triager(train(extra, gazetteer=gazetteer), gazetteer)
    held.extra_only_to_dev = evaluate(proxy, dev).accuracy
    model = train(dev + extra, gazetteer=gazetteer)
    model.meta["held_back"] = asdict(held)
    model.meta["seed_files"] = list(SEED_FILES)
    save_model(model, path)
    return model


def expected_default_version(params: Params | None = None) -> str:
    """The version a model trained on the current seed files (and parameters) would carry."""
    return f"triage-{MODEL_GENERATION}-{_fingerprint(seed_examples(), params or Params())}"
