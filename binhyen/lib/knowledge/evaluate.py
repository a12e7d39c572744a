"""Scoring of ranked slugs against labelled questions (convention of docs/knowledge.md).

top-1 is correct when the first returned slug is one of the labels, or when the labels are
``[]`` and nothing is returned; top-3 when any of the first three is one of the labels (same
rule for ``[]``). ``no_answer`` counts how the out-of-base questions were handled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Report:
    n: int = 0
    top1: int = 0
    top3: int = 0
    none_total: int = 0  # questions labelled []
    none_correct: int = 0  # ... answered with []
    false_none: int = 0  # answerable questions answered with []
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        def pct(a: int, b: int) -> float:
            return round(100.0 * a / b, 1) if b else 0.0

        return {
            "n": self.n,
            "top1": pct(self.top1, self.n),
            "top3": pct(self.top3, self.n),
            "no_answer_correct": pct(self.none_correct, self.none_total),
            "no_answer_n": self.none_total,
            "false_no_answer": self.false_none,
        }


def score_one(pred: Sequence[str], gold: Sequence[str]) -> tuple[bool, bool]:
    if not gold:
        return (not pred, not pred)
    return (bool(pred) and pred[0] in gold, any(p in gold for p in pred[:3]))


def evaluate(rows: Iterable[Mapping[str, object]], predict: Callable[[str], list[str]]) -> Report:
    rep = Report()
    for row in rows:
        gold = [str(s) for s in row["slugs"]]  # type: ignore[attr-defined]
        pred = predict(str(row["text"]))
        t1, t3 = score_one(pred, gold)
        rep.n += 1
        rep.top1 += t1
        rep.top3 += t3
        if not gold:
            rep.none_total += 1
            rep.none_correct += not pred
        elif not pred:
            rep.false_none += 1
        if not t1:
            rep.errors.append((str(row.get("id", "")), gold, pred))
    return rep


def format_report(rep: Report) -> str:
    d = rep.as_dict()
    return (
        f"questions {d['n']}  top-1 {d['top1']} %  top-3 {d['top3']} %  "
        f"no-answer {rep.none_correct}/{rep.none_total} ({d['no_answer_correct']} %)  "
        f"answerable given no answer {rep.false_none}"
    )
