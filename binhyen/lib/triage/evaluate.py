"""Measuring a triager against labelled examples.

Per-field accuracy follows the data README: intent over every example; category and urgency
over gold tips only (a tip predicted as a question counts as wrong for both); place codes as
an exact set match over every example.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage.training import Example, Params, train
from binhyen.lib.triage.triager import Triager, TriageResult

FIELDS = ("intent", "category", "urgency", "place_codes")
NONE = "—"


@dataclass
class Miss:
    id: str
    text: str
    wrong: dict[str, tuple[str, str]]  # field -> (gold, predicted)


@dataclass
class EvalReport:
    n: int = 0
    n_tips: int = 0
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    confusion: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    @property
    def accuracy(self) -> dict[str, float]:
        out = {}
        for f in FIELDS:
            denom = self.n_tips if f in ("category", "urgency") else self.n
            out[f] = round(self.correct[f] / denom, 4) if denom else 0.0
        return out

    def add(self, example: Example, result: TriageResult) -> None:
        self.n += 1
        gold_tip = example.intent == "tip"
        self.n_tips += gold_tip
        pairs = {
            "intent": (example.intent, result.intent),
            "place_codes": (
                " ".join(example.place_codes) or NONE,
                " ".join(sorted(result.place_codes)) or NONE,
            ),
        }
        if gold_tip:
            pairs["category"] = (str(example.category), result.category or NONE)
            pairs["urgency"] = (str(example.urgency), result.urgency or NONE)
        wrong = {}
        for f, (gold, pred) in pairs.items():
            if f == "place_codes":
                ok = set(example.place_codes) == set(result.place_codes)
            else:
                ok = gold == pred
                table = self.confusion.setdefault(f, defaultdict(lambda: defaultdict(int)))
                table[gold][pred] += 1
            self.correct[f] += ok
            if not ok:
                wrong[f] = (gold, pred)
        if wrong:
            self.misses.append(Miss(example.id, example.text, wrong))

    def merge(self, other: EvalReport) -> None:
        self.n += other.n
        self.n_tips += other.n_tips
        for f in FIELDS:
            self.correct[f] += other.correct[f]
        for f, table in other.confusion.items():
            mine = self.confusion.setdefault(f, defaultdict(lambda: defaultdict(int)))
            for gold, row in table.items():
                for pred, k in row.items():
                    mine[gold][pred] += k
        self.misses.extend(other.misses)

    def worst_misses(self, limit: int = 15) -> list[Miss]:
        """Misses with the most wrong fields first (intent errors weigh most)."""
        weight = {"intent": 3, "category": 2, "urgency": 1, "place_codes": 1}
        return sorted(self.misses, key=lambda m: (-sum(weight[f] for f in m.wrong), m.id))[:limit]


def evaluate(triager: Triager, examples: Sequence[Example]) -> EvalReport:
    report = EvalReport()
    for e in examples:
        report.add(e, triager.predict(e.text))
    return report


def _folds(examples: Sequence[Example], k: int) -> list[list[Example]]:
    """Deterministic folds, stratified by intent (round-robin over examples sorted by id)."""
    folds: list[list[Example]] = [[] for _ in range(k)]
    ordered = sorted(examples, key=lambda e: (e.intent, str(e.category), e.id))
    for i, e in enumerate(ordered):
        folds[i % k].append(e)
    return folds


def cross_validate(
    examples: Sequence[Example],
    extra: Sequence[Example] = (),
    *,
    folds: int = 5,
    params: Params | None = None,
    gazetteer: Gazetteer | None = None,
) -> EvalReport:
    """k-fold: train on ``extra`` + the other folds, test on the held-out fold; pooled."""
    gazetteer = gazetteer or Gazetteer.load()
    parts = _folds(examples, folds)
    report = EvalReport()
    for i, test in enumerate(parts):
        training = list(extra) + [e for j, p in enumerate(parts) if j != i for e in p]
        triager = Triager(train(training, params=params, gazetteer=gazetteer), gazetteer)
        report.merge(evaluate(triager, test))
    return report


def format_report(report: EvalReport, *, misses: int = 15) -> str:
    acc = report.accuracy
    lines = [
        f"examples: {report.n} (gold tips: {report.n_tips})",
        "accuracy: " + "  ".join(f"{f}={acc[f]:.3f}" for f in FIELDS),
    ]
    for f in ("intent", "category", "urgency"):
        table = report.confusion.get(f)
        if not table:
            continue
        labels = sorted(set(table) | {p for row in table.values() for p in row})
        width = max(len(x) for x in labels) + 1
        lines.append("")
        lines.append(f"confusion {f} (rows gold, columns predicted):")
        short = [x[:6] for x in labels]
        lines.append(" " * width + " ".join(f"{s:>6}" for s in short))
        for gold in labels:
            row = table.get(gold, {})
            lines.append(f"{gold:<{width}}" + " ".join(f"{row.get(p, 0):>6}" for p in labels))
    worst = report.worst_misses(misses)
    if worst:
        lines.append("")
        lines.append(f"worst misses ({len(report.misses)} messages with an error):")
        for m in worst:
            what = "; ".join(f"{f}: {g} → {p}" for f, (g, p) in m.wrong.items())
            lines.append(f"- {m.id}: {what} | {m.text[:110]}")
    return "\n".join(lines)
