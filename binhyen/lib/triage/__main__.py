"""Command line: ``python -m binhyen.lib.triage {build,eval,cv,predict} ...``.

* ``build PATH`` — train the default model from the seed files, with held-back scores;
* ``eval [--model PATH] FILE.jsonl`` — per-field accuracy, confusion tables, worst misses;
* ``cv`` — k-fold on the dev seed (extra seed always in training) and extra-only → dev;
  ``cv --ids s2102-s2421`` — k-fold over those seed ids, the rest of the seed always in
  training (a fresh set after it was added);
* ``predict [--model PATH] < in.jsonl > out.jsonl`` — one JSON prediction per line.
"""

from __future__ import annotations

import argparse
import json
import sys

from binhyen.lib.gazetteer import Gazetteer
from binhyen.lib.triage.evaluate import cross_validate, evaluate, format_report
from binhyen.lib.triage.training import build_default_model, load_examples, seed_examples, train
from binhyen.lib.triage.triager import Triager, predict_jsonl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m binhyen.lib.triage")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="train the default model from the seed files")
    b.add_argument("path")
    e = sub.add_parser("eval", help="evaluate on a labelled JSONL file")
    e.add_argument("file")
    e.add_argument("--model")
    e.add_argument("--misses", type=int, default=15)
    c = sub.add_parser("cv", help="cross-validate on the seed files")
    c.add_argument("--folds", type=int, default=5)
    c.add_argument("--misses", type=int, default=15)
    c.add_argument("--ids", help="FIRST-LAST: k-fold over these seed ids instead of dev")
    p = sub.add_parser("predict", help="JSONL in (stdin), predictions out (stdout)")
    p.add_argument("--model")
    args = parser.parse_args(argv)

    if args.command == "build":
        model = build_default_model(args.path)
        print(json.dumps({"version": model.version, **model.meta}, ensure_ascii=False, indent=1))
    elif args.command == "eval":
        print(format_report(evaluate(Triager.load(args.model), load_examples(args.file)),
                            misses=args.misses))  # fmt: skip
    elif args.command == "cv":
        gaz = Gazetteer.load()
        if args.ids:
            first, _, last = args.ids.partition("-")
            seed = seed_examples()
            inside = [e for e in seed if first <= e.id <= (last or first)]
            rest = [e for e in seed if not first <= e.id <= (last or first)]
            print(f"== {args.folds}-fold on {len(inside)} seed messages {args.ids} "
                  f"(the other {len(rest)} always in training)")  # fmt: skip
            print(format_report(cross_validate(inside, rest, folds=args.folds, gazetteer=gaz),
                                misses=args.misses))  # fmt: skip
            return 0
        dev = seed_examples(("seed-dev.jsonl",))
        extra = seed_examples(("seed-extra.jsonl",))
        print(f"== {args.folds}-fold on seed-dev (seed-extra always in training)")
        print(format_report(cross_validate(dev, extra, folds=args.folds, gazetteer=gaz),
                            misses=args.misses))  # fmt: skip
        print("\n== trained on seed-extra only, tested on all of seed-dev")
        only = Triager(train(extra, gazetteer=gaz), gaz)
        print(format_report(evaluate(only, dev), misses=args.misses))
    else:
        predict_jsonl(sys.stdin, sys.stdout, Triager.load(args.model))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
