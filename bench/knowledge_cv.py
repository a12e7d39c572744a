"""Leave-one-set-out figures for the procedure search (the tuning loop of docs/knowledge.md).

For each labelled tuning set, the search is built from the catalogue, the synonyms and every
*other* set (paraphrases and out-of-base negatives), then scored on the left-out set: an honest
estimate while tuning, since no set is scored by a search that has seen it. The final set is
not a tuning set and is never read here.

    .venv/bin/python bench/knowledge_cv.py [--errors] [--param name=value ...] [--folds K]

``--folds K`` also scores the hand-written negatives (out-of-base.jsonl) K-fold: each fold by a
search built from everything but that fold (round 5).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from binhyen.lib.knowledge import Index, Params, evaluate, format_report
from binhyen.lib.knowledge.search import (
    DATA_DIR,
    TUNING_SETS,
    catalogue_entries,
    load_jsonl,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--param", action="append", default=[], help="Params field=value")
    ap.add_argument("--folds", type=int, default=0, help="K-fold over out-of-base.jsonl")
    args = ap.parse_args()
    params = Params()
    for kv in args.param:
        k, v = kv.split("=")
        setattr(params, k, float(v))
    tot = [0, 0, 0, 0, 0]
    for name in TUNING_SETS:
        index = Index.build(catalogue_entries(exclude=(name,)), params)
        rows = load_jsonl(DATA_DIR / name)
        rep = evaluate(rows, index.predict)
        print(f"{name:32s} {format_report(rep)}")
        tot[0] += rep.n
        tot[1] += rep.top1
        tot[2] += rep.top3
        tot[3] += rep.none_correct
        tot[4] += rep.none_total
        if args.errors:
            texts = {str(r["id"]): str(r["text"]) for r in rows}
            for rid, gold, pred in rep.errors:
                print(f"   {rid}: {texts[rid]!r} expected {gold} got {pred}")
    n = tot[0]
    print(
        f"{'all (left out)':32s} questions {n}  top-1 {100 * tot[1] / n:.1f} %  "
        f"top-3 {100 * tot[2] / n:.1f} %  no-answer {tot[3]}/{tot[4]}"
    )
    if args.folds:
        texts = [str(r["text"]) for r in load_jsonl(DATA_DIR / "out-of-base.jsonl")]
        refused = 0
        for k in range(args.folds):
            fold = texts[k :: args.folds]
            index = Index.build(catalogue_entries(held=frozenset(fold)), params)
            for text in fold:
                pred = index.predict(text)
                refused += not pred
                if pred and args.errors:
                    print(f"   negative answered: {text!r} got {pred}")
        print(f"{'out-of-base.jsonl, ' + str(args.folds) + '-fold':32s} {refused}/{len(texts)}")


if __name__ == "__main__":
    main()
